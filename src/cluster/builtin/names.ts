/**
 * Name and metadata validation with Kubernetes' rules and wording (apimachinery
 * `util/validation`, `api/validation` and `apis/meta/v1/validation`, plus the core group's
 * finalizer-name rule that every built-in type goes through).
 */
import { fieldError } from '../errors.js';
import type { FieldCause, ObjectMeta } from '../objects.js';
import { byteLength, child, getString, goQuote, goStringSlice, index, invalidRendered, isMap } from './util.js';

// ---- message builders (util/validation) ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

// ---- DNS names ----

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const wildcardDNS1123SubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardDNS1123SubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const wildcardDNS1123SubdomainRe = new RegExp(`^${wildcardDNS1123SubdomainFmt}$`);

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardDNS1123SubdomainRe.test(value)) {
    errs.push(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, '*.example.com'));
  }
  return errs;
}

// ---- qualified names (label and annotation keys), label values ----

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  switch (parts.length) {
    case 1:
      name = parts[0];
      break;
    case 2: {
      const prefix = parts[0];
      name = parts[1];
      if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
      else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
      break;
    }
    default:
      return [
        `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- other formats used across built-in types ----

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** A key of a ConfigMap's or Secret's data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!configMapKeyRe.test(value)) errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const envVarNameRe = new RegExp(`^${envVarNameFmt}$`);

/** The strict environment variable name rule (before RelaxedEnvironmentVariableValidation). */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(value)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** The relaxed rule, on by default since Kubernetes 1.32: printable ASCII other than '='. */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPercent(percent: string): string[] {
  return /^[0-9]+%$/.test(percent)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

export function isHTTPHeaderName(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value)
    ? []
    : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

// ---- path segment names (RBAC objects, names in URLs) ----

export function isValidPathSegmentName(name: string): string[] {
  for (const bad of ['.', '..']) if (name === bad) return [`may not be '${bad}'`];
  return isValidPathSegmentPrefix(name);
}

export function isValidPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

// ---- name functions (ValidateNameFunc): prefix=true validates a generateName ----

export type NameFunc = (name: string, prefix: boolean) => string[];

/** generateName may end in '-': mask it the way apimachinery does before validating. */
function maskTrailingDash(name: string): string {
  if (!name.endsWith('-')) return name;
  return name.length >= 2 ? `${name.slice(0, name.length - 2)}a` : 'a';
}

export const nameIsDNSSubdomain: NameFunc = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFunc = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameFunc = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
export const validatePathSegmentName: NameFunc = (name, prefix) =>
  prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);

export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment' | 'none';

/** Kinds whose names are not DNS subdomains (the default for every other built-in kind). */
const NAME_RULES: Record<string, NameRule> = {
  Namespace: 'dns1123-label',
  Service: 'dns1035-label',
  StatefulSet: 'dns1123-label',
  Role: 'path-segment',
  RoleBinding: 'path-segment',
  ClusterRole: 'path-segment',
  ClusterRoleBinding: 'path-segment',
  APIService: 'path-segment',
  // Virtual (create-only) review objects and bindings: metadata is not validated.
  TokenReview: 'none',
  SelfSubjectReview: 'none',
  SubjectAccessReview: 'none',
  SelfSubjectAccessReview: 'none',
  SelfSubjectRulesReview: 'none',
  LocalSubjectAccessReview: 'none',
};

export function nameRuleFor(kind: string): NameRule {
  return NAME_RULES[kind] ?? 'dns1123-subdomain';
}

export function nameFuncFor(kind: string): NameFunc {
  switch (nameRuleFor(kind)) {
    case 'dns1123-label':
      return nameIsDNSLabel;
    case 'dns1035-label':
      return nameIsDNS1035Label;
    case 'path-segment':
      return validatePathSegmentName;
    case 'none':
      return () => [];
    default:
      return nameIsDNSSubdomain;
  }
}

/** The messages Kubernetes gives for an object name of this kind (empty when valid). */
export function validateObjectName(kind: string, name: string, prefix = false): string[] {
  return nameFuncFor(kind)(name, prefix);
}

// ---- labels, annotations, finalizers, owner references ----

export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

export function validateLabelName(name: string, path: string): FieldCause[] {
  return isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
}

export function validateLabels(labels: unknown, path: string): FieldCause[] {
  if (!isMap(labels)) return [];
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    out.push(...validateLabelName(k, path));
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) out.push(fieldError.invalid(path, value, m));
  }
  return out;
}

export function validateAnnotations(annotations: unknown, path: string): FieldCause[] {
  if (!isMap(annotations)) return [];
  const out: FieldCause[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // The rule is a qualified name except that case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) out.push(fieldError.invalid(path, k, m));
    total += byteLength(k) + byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) out.push(fieldError.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return out;
}

// customresourcecleanup is registered as standard by apiextensions (the CRD cleanup finalizer).
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion', 'customresourcecleanup.apiextensions.k8s.io']);

/** apimachinery's finalizer checks: qualified names, and not both orphan and foregroundDeletion. */
export function validateFinalizers(finalizers: unknown, path: string): FieldCause[] {
  if (!Array.isArray(finalizers)) return [];
  const out: FieldCause[] = [];
  let orphan = false;
  let foreground = false;
  for (const f of finalizers) {
    const s = typeof f === 'string' ? f : String(f);
    out.push(...validateFinalizerName(s, path));
    if (s === 'orphan') orphan = true;
    if (s === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) {
    out.push(invalidRendered(path, goStringSlice(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return out;
}

export function validateFinalizerName(name: string, path: string): FieldCause[] {
  return isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
}

/** The core group's extra rule: an unqualified finalizer must be one of the standard ones. */
export function validateKubeFinalizerName(name: string, path: string): FieldCause[] {
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [fieldError.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

function renderOwnerReference(ref: unknown): string {
  const ctrl = isMap(ref) ? ref.controller : undefined;
  const block = isMap(ref) ? ref.blockOwnerDeletion : undefined;
  const ptr = (v: unknown) => (v === undefined || v === null ? '(*bool)(nil)' : '(*bool)(0xc000000000)');
  return `v1.OwnerReference{APIVersion:${goQuote(getString(ref, 'apiVersion'))}, Kind:${goQuote(getString(ref, 'kind'))}, Name:${goQuote(getString(ref, 'name'))}, UID:${goQuote(getString(ref, 'uid'))}, Controller:${ptr(ctrl)}, BlockOwnerDeletion:${ptr(block)}}`;
}

function versionOf(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function validateOwnerReferences(refs: unknown, path: string): FieldCause[] {
  if (!Array.isArray(refs)) return [];
  const out: FieldCause[] = [];
  let firstController = '';
  for (const ref of refs) {
    const apiVersion = getString(ref, 'apiVersion');
    const kind = getString(ref, 'kind');
    const gv = versionOf(apiVersion);
    if (!gv.version) out.push(fieldError.invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) out.push(fieldError.invalid(child(path, 'kind'), kind, 'must not be empty'));
    if (!getString(ref, 'name')) out.push(fieldError.invalid(child(path, 'name'), '', 'must not be empty'));
    if (!getString(ref, 'uid')) out.push(fieldError.invalid(child(path, 'uid'), '', 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      out.push(invalidRendered(path, renderOwnerReference(ref), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (isMap(ref) && ref.controller === true) {
      const cur = `${kind}/${getString(ref, 'name')}`;
      if (firstController) {
        out.push(
          invalidRendered(
            path,
            `[]v1.OwnerReference{${refs.map(renderOwnerReference).join(', ')}}`,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return out;
}

// ---- ObjectMeta ----

export interface ObjectMetaOptions {
  namespaced: boolean;
  kind: string;
  /** Overrides the kind's name rule (e.g. a CRD-specific rule). */
  nameFn?: NameFunc;
  /** Custom resources skip the core group's finalizer-name rule. */
  custom?: boolean;
  /** Path of the metadata, `metadata` unless nested. */
  path?: string;
}

/** ObjectMeta validation on create, with Kubernetes' paths and messages. Name generation is expected to have happened. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions): FieldCause[] {
  const m: ObjectMeta = meta ?? {};
  const path = opts.path ?? 'metadata';
  const nameFn = opts.nameFn ?? nameFuncFor(opts.kind);
  const out: FieldCause[] = [];
  const generateName = typeof m.generateName === 'string' ? m.generateName : '';
  if (generateName) {
    for (const msg of nameFn(generateName, true)) out.push(fieldError.invalid(child(path, 'generateName'), generateName, msg));
  }
  const name = typeof m.name === 'string' ? m.name : '';
  if (!name) out.push(fieldError.required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) out.push(fieldError.invalid(child(path, 'name'), name, msg));

  const namespace = typeof m.namespace === 'string' ? m.namespace : '';
  if (opts.namespaced) {
    if (!namespace) out.push(fieldError.required(child(path, 'namespace')));
    else for (const msg of nameIsDNSLabel(namespace, false)) out.push(fieldError.invalid(child(path, 'namespace'), namespace, msg));
  } else if (namespace) {
    out.push(fieldError.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  out.push(...validateMetaCommon(m, path, opts.custom === true));
  return out;
}

function validateMetaCommon(m: ObjectMeta, path: string, custom: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  if (typeof m.generation === 'number' && m.generation < 0) {
    out.push(fieldError.invalid(child(path, 'generation'), m.generation, 'must be greater than or equal to 0'));
  }
  out.push(...validateLabels(m.labels, child(path, 'labels')));
  out.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  out.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  out.push(...validateFinalizers(m.finalizers, child(path, 'finalizers')));
  if (!custom && Array.isArray(m.finalizers)) {
    m.finalizers.forEach((f, i) => out.push(...validateKubeFinalizerName(String(f), index(child(path, 'finalizers'), i))));
  }
  return out;
}

/**
 * ObjectMeta validation on update: identity fields immutable, plus the common checks (`skipCommon`
 * leaves those out, for a caller that has run validateObjectMeta, which makes the same checks).
 */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  opts: { custom?: boolean; path?: string; skipCommon?: boolean } = {},
): FieldCause[] {
  const m: ObjectMeta = meta ?? {};
  const o: ObjectMeta = old ?? {};
  const path = opts.path ?? 'metadata';
  const out: FieldCause[] = [];
  if (o.deletionTimestamp) {
    const oldSet = new Set(o.finalizers ?? []);
    const extra = [...new Set((m.finalizers ?? []).filter((f) => !oldSet.has(f)))].sort();
    if (extra.length > 0) {
      out.push(
        fieldError.forbidden(
          child(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
        ),
      );
    }
  }
  if (typeof m.generation === 'number' && typeof o.generation === 'number' && m.generation < o.generation) {
    out.push(fieldError.invalid(child(path, 'generation'), m.generation, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace'] as const) {
    const nv = typeof m[f] === 'string' ? m[f] : '';
    const ov = typeof o[f] === 'string' ? o[f] : '';
    if (nv !== ov) out.push(fieldError.invalid(child(path, f), nv, 'field is immutable'));
  }
  if (m.uid && o.uid && m.uid !== o.uid) out.push(fieldError.invalid(child(path, 'uid'), m.uid, 'field is immutable'));
  if (opts.skipCommon !== true) out.push(...validateMetaCommon(m, path, opts.custom === true));
  return out;
}
