/**
 * Field selectors (`?fieldSelector=`): parsed like apimachinery's `fields.ParseSelector` (terms
 * split on unescaped commas and sorted, `\,` `\=` `\\` escapes in values), then every field label
 * checked against what kube-apiserver accepts for the kind (its field label conversion functions),
 * with the same 400 messages, and matched against the same field values its storage exposes.
 */
import { badRequest } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { parseJsonPath } from '../table/jsonpath.js';
import { goQuote } from './validation.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

export type FieldMatcher = (obj: KubeObject) => boolean;

export interface FieldSelectorType {
  group: string;
  kind: string;
  custom: boolean;
  /** For custom resources: cluster-scoped ones do not accept `metadata.namespace`. Defaults to true. */
  namespaced?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Syntax

/** Splits on commas not preceded by a backslash; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator in a term, trying `!=`, `==`, `=` at each position. */
function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** `fields.UnescapeValue`. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** `fields.EscapeValue`: makes a literal safe as a field selector value. */
export function escapeFieldSelectorValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector's syntax only (no field-label check), terms sorted as Kubernetes sorts them.
 * @throws ApiError 400 with Kubernetes' message for malformed terms or escapes.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeValue(t.rhs) });
  }
  return reqs;
}

// ---------------------------------------------------------------------------------------------
// Field labels per kind (kube-apiserver's AddFieldLabelConversionFunc registrations)

type Convert = (label: string) => string; // returns the internal label, or throws

const notSupported = (label: string): never => {
  throw badRequest(`field label not supported: ${label}`);
};

function allowList(fields: readonly string[], renames: Record<string, string> = {}): Convert {
  const allowed = new Set(fields);
  return (label) => {
    if (Object.prototype.hasOwnProperty.call(renames, label)) return renames[label];
    return allowed.has(label) ? label : notSupported(label);
  };
}

const defaultConversion: Convert = (label) => {
  if (label === 'metadata.name' || label === 'metadata.namespace') return label;
  throw badRequest(`${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
};

const involvedObjectFields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

const eventsV1Mapping: Record<string, string> = {
  reason: 'reason',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
  ...Object.fromEntries(involvedObjectFields.map((f) => [`regarding.${f}`, `involvedObject.${f}`])),
};

const conversions: Record<string, Convert> = {
  '/Pod': allowList(
    [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
    { 'spec.host': 'spec.nodeName' },
  ),
  '/Node': allowList(['metadata.name', 'spec.unschedulable']),
  '/ReplicationController': allowList(['metadata.name', 'metadata.namespace', 'status.replicas']),
  '/Event': allowList([
    ...involvedObjectFields.map((f) => `involvedObject.${f}`),
    'reason',
    'reportingComponent',
    'source',
    'type',
    'metadata.namespace',
    'metadata.name',
  ]),
  '/Namespace': allowList(['status.phase', 'metadata.name']),
  '/Secret': allowList(['type', 'metadata.namespace', 'metadata.name']),
  '/Service': allowList(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']),
  'events.k8s.io/Event': (label) => (Object.prototype.hasOwnProperty.call(eventsV1Mapping, label) ? eventsV1Mapping[label] : notSupported(label)),
  'batch/Job': (label) => {
    if (label === 'metadata.name' || label === 'metadata.namespace' || label === 'status.successful') return label;
    throw badRequest(`field label ${goQuote(label)} not supported for batchv1.Job`);
  },
  'certificates.k8s.io/CertificateSigningRequest': allowList(['metadata.name', 'spec.signerName']),
  'certificates.k8s.io/ClusterTrustBundle': allowList(['metadata.name', 'spec.signerName']),
};

function customConversion(type: FieldSelectorType, selectable: ReadonlySet<string>): Convert {
  return (label) => {
    if (label === 'metadata.name') return label;
    if (label === 'metadata.namespace' && type.namespaced !== false) return label;
    if (selectable.has(label)) return label;
    return notSupported(label);
  };
}

// ---------------------------------------------------------------------------------------------
// Field values per kind (the storage strategies' ToSelectableFields)

type Fields = Record<string, string>;

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
}

function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

function metaFields(obj: KubeObject): Fields {
  return { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '' };
}

function podFields(obj: KubeObject): Fields {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const podIPs = Array.isArray(status.podIPs) ? status.podIPs : [];
  // v1 → internal conversion fills podIPs from podIP when only the latter is set.
  const podIP = podIPs.length > 0 ? str(rec(podIPs[0]).ip) : str(status.podIP);
  return {
    ...metaFields(obj),
    'spec.nodeName': str(spec.nodeName),
    'spec.restartPolicy': str(spec.restartPolicy),
    'spec.schedulerName': str(spec.schedulerName),
    'spec.serviceAccountName': str(spec.serviceAccountName),
    'spec.hostNetwork': bool(spec.hostNetwork),
    'status.phase': str(status.phase),
    'status.podIP': podIP,
    'status.nominatedNodeName': str(status.nominatedNodeName),
    // `status.podIPs` is accepted by the conversion but never populated: it always compares as "".
  };
}

function eventFields(involved: Record<string, unknown>, o: {
  meta: Fields;
  reason: unknown;
  type: unknown;
  reportingController: unknown;
  sourceComponent: unknown;
}): Fields {
  const reporting = str(o.reportingController);
  const fields: Fields = {
    ...o.meta,
    reason: str(o.reason),
    reportingComponent: reporting,
    source: str(o.sourceComponent) || reporting,
    type: str(o.type),
  };
  for (const f of involvedObjectFields) fields[`involvedObject.${f}`] = str(involved[f]);
  return fields;
}

const fieldSets: Record<string, (obj: KubeObject) => Fields> = {
  '/Pod': podFields,
  '/Node': (obj) => ({ 'metadata.name': obj.metadata?.name ?? '', 'spec.unschedulable': bool(rec(obj.spec).unschedulable) }),
  '/ReplicationController': (obj) => ({ ...metaFields(obj), 'status.replicas': int(rec(obj.status).replicas) }),
  '/Event': (obj) =>
    eventFields(rec(obj.involvedObject), {
      meta: metaFields(obj),
      reason: obj.reason,
      type: obj.type,
      reportingController: obj.reportingComponent,
      sourceComponent: rec(obj.source).component,
    }),
  'events.k8s.io/Event': (obj) =>
    eventFields(rec(obj.regarding), {
      meta: metaFields(obj),
      reason: obj.reason,
      type: obj.type,
      reportingController: obj.reportingController,
      sourceComponent: rec(obj.deprecatedSource).component,
    }),
  '/Namespace': (obj) => ({ 'metadata.name': obj.metadata?.name ?? '', 'status.phase': str(rec(obj.status).phase) }),
  '/Secret': (obj) => ({ ...metaFields(obj), type: str(obj.type) }),
  '/Service': (obj) => ({ ...metaFields(obj), 'spec.clusterIP': str(rec(obj.spec).clusterIP), 'spec.type': str(rec(obj.spec).type) }),
  'batch/Job': (obj) => ({ ...metaFields(obj), 'status.successful': int(rec(obj.status).succeeded) }),
  'certificates.k8s.io/CertificateSigningRequest': (obj) => ({ 'metadata.name': obj.metadata?.name ?? '', 'spec.signerName': str(rec(obj.spec).signerName) }),
  'certificates.k8s.io/ClusterTrustBundle': (obj) => ({ 'metadata.name': obj.metadata?.name ?? '', 'spec.signerName': str(rec(obj.spec).signerName) }),
};

/** The label a CRD `selectableFields[].jsonPath` is selected by: `.spec.color` → `spec.color`. */
export function selectableFieldLabel(jsonPath: string): string {
  return jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath;
}

/** A custom resource's selectable value: strings as-is, booleans and integers in Go's formatting. */
function selectableValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/**
 * The field set of one object as the API server's storage exposes it for field selectors.
 * Fields missing from the set compare as the empty string.
 */
export function fieldSetOf(type: FieldSelectorType, obj: KubeObject, selectableFields: readonly string[] = []): Fields {
  if (type.custom) {
    const fields = metaFields(obj);
    for (const path of selectableFields) {
      const found = parseJsonPath(path.startsWith('.') || path.startsWith('$') ? path : `.${path}`).find(obj);
      fields[selectableFieldLabel(path)] = found.length > 0 ? selectableValue(found[0]) : '';
    }
    return fields;
  }
  const fn = fieldSets[`${type.group}/${type.kind}`];
  return fn ? fn(obj) : metaFields(obj);
}

/**
 * Compiles a field selector for one resource type into a matcher.
 *
 * Every field label must be one kube-apiserver accepts for the kind: `metadata.name` and
 * `metadata.namespace` everywhere (the latter not for cluster-scoped CRDs, Nodes, Namespaces and
 * CSRs), the kind-specific fields of Pods, Events (core and events.k8s.io), Secrets, Namespaces,
 * Nodes, ReplicationControllers, Jobs, CSRs and Services, and a CRD's `selectableFields`.
 * @throws ApiError 400 BadRequest with Kubernetes' message (e.g. `field label not supported: spec.foo`).
 */
export function fieldSelectorFor(type: FieldSelectorType, selector: string, selectableFields?: readonly string[]): FieldMatcher {
  const reqs = parseFieldSelector(selector);
  if (reqs.length === 0) return () => true;
  const selectable = selectableFields ?? [];
  const convert = type.custom
    ? customConversion(type, new Set(selectable.map(selectableFieldLabel)))
    : (conversions[`${type.group}/${type.kind}`] ?? defaultConversion);
  const internal = reqs.map((r) => ({ ...r, field: convert(r.field) }));
  return (obj) => {
    const fields = fieldSetOf(type, obj, selectable);
    return internal.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '!=' ? actual !== r.value : actual === r.value;
    });
  };
}
