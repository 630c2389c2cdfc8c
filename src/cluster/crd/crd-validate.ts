/**
 * Validation of an apiextensions.k8s.io/v1 CustomResourceDefinition on create and update, following
 * apiextensions-apiserver's rules and messages (after the v1 defaults of `crd-defaults.ts`):
 * metadata.name is `<plural>.<group>`; group, scope, names, versions (DNS-1035 names, exactly one
 * storage version, a schema for each), per-version schema rules (OpenAPI subset, structural schema
 * invariants, list/map types, defaults that validate), subresources, printer columns, conversion;
 * on update, group and plural are immutable, and so are scope and kind once established.
 */
import { fieldError } from '../errors.js';
import type { FieldCause, KubeObject, StructuralSchema } from '../objects.js';
import { applyCrdDefaults } from './crd-defaults.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { pruneUnknownFields } from './schema-prune.js';
import { isValidPattern, validateBySchema } from './schema-validate.js';
import {
  additionalSchema,
  asArray,
  asObject,
  asSchema,
  childPath,
  dns1035LabelErrors,
  dns1123SubdomainErrors,
  hasOwn,
  indexPath,
  isObject,
  keyPath,
  type JsonMap,
} from './util.js';

/**
 * Validates `crd` (and, for an update, the transition from `old`). Returns every problem found;
 * an empty list means the apiserver would accept it.
 */
export function validateCrd(crd: KubeObject, old?: KubeObject): FieldCause[] {
  const c = applyCrdDefaults(crd);
  const spec = asObject(c.spec) ?? {};
  const out: FieldCause[] = [];
  validateName(c, spec, out);
  validateSpec(spec, out);
  if (old) validateUpdate(spec, applyCrdDefaults(old), out);
  if (spec.preserveUnknownFields === true) {
    out.push(
      fieldError.invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function validateName(crd: KubeObject, spec: JsonMap, out: FieldCause[]): void {
  const name = str(crd.metadata?.name);
  if (!name) {
    out.push(fieldError.required('metadata.name', 'name or generateName is required'));
    return;
  }
  const names = asObject(spec.names) ?? {};
  const msgs = dns1123SubdomainErrors(name);
  if (name !== `${str(names.plural)}.${str(spec.group)}`) msgs.push('must be spec.names.plural+"."+spec.group');
  for (const m of msgs) out.push(fieldError.invalid('metadata.name', name, m));
}

function validateSpec(spec: JsonMap, out: FieldCause[]): void {
  const group = str(spec.group);
  if (!group) out.push(fieldError.required('spec.group'));
  else {
    const errs = dns1123SubdomainErrors(group);
    if (errs.length > 0) out.push(fieldError.invalid('spec.group', group, errs.join(',')));
    else if (!group.includes('.')) out.push(fieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }

  if (spec.scope === undefined || spec.scope === null || spec.scope === '') out.push(fieldError.required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') {
    out.push(fieldError.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  }

  const versions = asArray(spec.versions) ?? [];
  versions.forEach((v, i) => {
    const schema = asObject(asObject(v)?.schema)?.openAPIV3Schema;
    if (!isObject(schema)) out.push(fieldError.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });

  let storageCount = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((raw, i) => {
    const v = asObject(raw) ?? {};
    const path = indexPath('spec.versions', i);
    if (v.storage === true) storageCount++;
    const name = str(v.name);
    if (seen.has(name)) unique = false;
    seen.add(name);
    const errs = dns1035LabelErrors(name);
    if (errs.length > 0) out.push(fieldError.invalid(`${path}.name`, name, errs.join(',')));
    validateVersion(v, path, out);
  });
  if (!unique) out.push(fieldError.invalid('spec.versions', versions, 'must contain unique version names'));
  if (storageCount !== 1) out.push(fieldError.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));

  const names = asObject(spec.names) ?? {};
  for (const n of ['plural', 'singular', 'kind', 'listKind']) {
    if (!str(names[n])) out.push(fieldError.required(`spec.names.${n}`));
  }
  validateNames(names, 'spec.names', out);
  validateConversion(asObject(spec.conversion) ?? {}, out);
}

/** ValidateCustomResourceDefinitionNames. */
export function validateNames(names: JsonMap, path: string, out: FieldCause[]): void {
  const check = (value: string, field: string, mixedCase: boolean): void => {
    if (!value) return;
    const errs = dns1035LabelErrors(mixedCase ? value.toLowerCase() : value);
    if (errs.length === 0) return;
    const detail = mixedCase ? `may have mixed case, but should otherwise match: ${errs.join(',')}` : errs.join(',');
    out.push(fieldError.invalid(`${path}.${field}`, value, detail));
  };
  check(str(names.plural), 'plural', false);
  check(str(names.singular), 'singular', false);
  check(str(names.kind), 'kind', true);
  check(str(names.listKind), 'listKind', true);
  (asArray(names.shortNames) ?? []).forEach((s, i) => {
    const errs = dns1035LabelErrors(str(s));
    if (errs.length > 0) out.push(fieldError.invalid(indexPath(`${path}.shortNames`, i), s, errs.join(',')));
  });
  const kind = str(names.kind);
  if (kind && kind === str(names.listKind)) out.push(fieldError.invalid(`${path}.listKind`, kind, 'kind and listKind may not be the same'));
  (asArray(names.categories) ?? []).forEach((c, i) => {
    const errs = dns1035LabelErrors(str(c));
    if (errs.length > 0) out.push(fieldError.invalid(indexPath(`${path}.categories`, i), c, errs.join(',')));
  });
}

function validateVersion(v: JsonMap, path: string, out: FieldCause[]): void {
  validateDeprecationWarning(v, path, out);
  const subresources = asObject(v.subresources);
  const statusEnabled = isObject(subresources?.status);
  const schema = asSchema(asObject(v.schema)?.openAPIV3Schema);
  if (schema) validateVersionSchema(schema, `${path}.schema`, statusEnabled, out);
  validateSubresources(subresources, `${path}.subresources`, out);
  (asArray(v.additionalPrinterColumns) ?? []).forEach((col, i) => {
    validateColumn(asObject(col) ?? {}, indexPath(`${path}.additionalPrinterColumns`, i), out);
  });
}

function validateDeprecationWarning(v: JsonMap, path: string, out: FieldCause[]): void {
  const w = v.deprecationWarning;
  if (w === undefined || w === null) return;
  const p = `${path}.deprecationWarning`;
  if (v.deprecated !== true) {
    out.push(fieldError.invalid(p, w, 'can only be set for deprecated versions'));
    return;
  }
  const text = str(w);
  if (text.length > 256) out.push(fieldError.invalid(p, w, 'must be <= 256 characters long'));
  if (text.length === 0) out.push(fieldError.invalid(p, w, 'must not be an empty string'));
  const bad = text.search(/[\p{Cc}\p{Cs}\p{Co}\p{Cn}]/u);
  if (bad >= 0) {
    out.push(fieldError.invalid(p, w, `must only contain printable UTF-8 characters; non-printable character found at index ${bad}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Subresources and printer columns

function simpleJsonPathErrors(s: string, path: string): FieldCause[] {
  if (s.length === 0) return [fieldError.invalid(path, s, 'must not be empty')];
  if (s[0] !== '.') return [fieldError.invalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

function validateScalePath(value: unknown, path: string, prefixes: string[], detail: string, required: boolean, out: FieldCause[]): void {
  const s = str(value);
  if (!s) {
    if (required) out.push(fieldError.required(path));
    return;
  }
  const errs = simpleJsonPathErrors(s, path);
  if (errs.length > 0) out.push(...errs);
  else if (!prefixes.some((p) => s.startsWith(p))) out.push(fieldError.invalid(path, s, detail));
}

function validateSubresources(sub: JsonMap | undefined, path: string, out: FieldCause[]): void {
  const scale = asObject(sub?.scale);
  if (!scale) return;
  validateScalePath(scale.specReplicasPath, `${path}.scale.specReplicasPath`, ['.spec.'], 'should be a json path under .spec', true, out);
  validateScalePath(scale.statusReplicasPath, `${path}.scale.statusReplicasPath`, ['.status.'], 'should be a json path under .status', true, out);
  validateScalePath(
    scale.labelSelectorPath,
    `${path}.scale.labelSelectorPath`,
    ['.spec.', '.status.'],
    'should be a json path under either .spec or .status',
    false,
    out,
  );
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function validateColumn(col: JsonMap, path: string, out: FieldCause[]): void {
  if (!str(col.name)) out.push(fieldError.required(`${path}.name`));
  const type = str(col.type);
  const typeDetail = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (!type) out.push(fieldError.required(`${path}.type`, typeDetail));
  else if (!COLUMN_TYPES.includes(type)) out.push(fieldError.invalid(`${path}.type`, type, typeDetail));
  const format = str(col.format);
  if (format && !COLUMN_FORMATS.includes(format)) {
    out.push(fieldError.invalid(`${path}.format`, format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  }
  const jsonPath = str(col.jsonPath);
  if (!jsonPath) out.push(fieldError.required(`${path}.JSONPath`));
  else out.push(...simpleJsonPathErrors(jsonPath, `${path}.JSONPath`));
}

// ---------------------------------------------------------------------------------------------
// Conversion and update rules

function validateConversion(conv: JsonMap, out: FieldCause[]): void {
  const strategy = str(conv.strategy);
  if (!strategy) out.push(fieldError.required('spec.conversion.strategy'));
  else if (strategy !== 'None' && strategy !== 'Webhook') out.push(fieldError.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  const webhook = asObject(conv.webhook);
  const clientConfig = asObject(webhook?.clientConfig);
  const reviewVersions = asArray(webhook?.conversionReviewVersions) ?? [];
  if (strategy !== 'Webhook') {
    if (clientConfig) out.push(fieldError.forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions.length > 0) {
      out.push(fieldError.forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
    }
    return;
  }
  if (!clientConfig) out.push(fieldError.required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
  else if ((clientConfig.url === undefined) === (clientConfig.service === undefined)) {
    out.push(fieldError.required('spec.conversion.webhookClientConfig', 'exactly one of url or service is required'));
  }
  const path = 'spec.conversion.conversionReviewVersions';
  if (reviewVersions.length === 0) {
    out.push(fieldError.required(path));
    return;
  }
  const seen = new Set<string>();
  reviewVersions.forEach((raw, i) => {
    const v = str(raw);
    if (seen.has(v)) {
      out.push(fieldError.invalid(indexPath(path, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const e of dns1035LabelErrors(v)) out.push(fieldError.invalid(indexPath(path, i), v, e));
  });
  if (!reviewVersions.some((v) => v === 'v1' || v === 'v1beta1')) {
    out.push(fieldError.invalid(path, reviewVersions, 'must include at least one of v1, v1beta1'));
  }
}

/** Established unless the old CRD says otherwise: Argosy establishes every accepted CRD at once. */
function isEstablished(old: KubeObject): boolean {
  const conditions = asArray(asObject(old.status)?.conditions) ?? [];
  const established = conditions.map(asObject).find((c) => c?.type === 'Established');
  return !established || established.status === 'True';
}

function validateUpdate(spec: JsonMap, old: KubeObject, out: FieldCause[]): void {
  const oldSpec = asObject(old.spec) ?? {};
  const names = asObject(spec.names) ?? {};
  const oldNames = asObject(oldSpec.names) ?? {};
  const immutable = (path: string, now: unknown, before: unknown): void => {
    if (now !== before) out.push(fieldError.invalid(path, now, 'field is immutable'));
  };
  if (isEstablished(old)) {
    immutable('spec.scope', spec.scope, oldSpec.scope);
    immutable('spec.names.kind', names.kind, oldNames.kind);
  }
  immutable('spec.group', spec.group, oldSpec.group);
  immutable('spec.names.plural', names.plural, oldNames.plural);
}

// ---------------------------------------------------------------------------------------------
// Per-version schema

/** JSON names of JSONSchemaProps in declaration order, with whether each may appear at the root when status is a subresource. */
const ROOT_FIELDS: [string, boolean][] = [
  ['id', false],
  ['$schema', false],
  ['$ref', false],
  ['description', true],
  ['type', true],
  ['format', true],
  ['title', true],
  ['default', false],
  ['maximum', true],
  ['exclusiveMaximum', true],
  ['minimum', true],
  ['exclusiveMinimum', true],
  ['maxLength', true],
  ['minLength', true],
  ['pattern', true],
  ['maxItems', true],
  ['minItems', true],
  ['uniqueItems', true],
  ['multipleOf', true],
  ['enum', false],
  ['maxProperties', false],
  ['minProperties', false],
  ['required', true],
  ['items', true],
  ['allOf', false],
  ['oneOf', false],
  ['anyOf', false],
  ['not', false],
  ['properties', true],
  ['additionalProperties', false],
  ['patternProperties', false],
  ['dependencies', false],
  ['additionalItems', false],
  ['definitions', false],
  ['externalDocs', true],
  ['example', true],
  ['nullable', false],
  ['x-kubernetes-preserve-unknown-fields', true],
  ['x-kubernetes-embedded-resource', false],
  ['x-kubernetes-int-or-string', false],
  ['x-kubernetes-list-map-keys', false],
  ['x-kubernetes-list-type', false],
  ['x-kubernetes-map-type', false],
  ['x-kubernetes-validations', true],
];
const ROOT_ALLOWED_GO_NAMES =
  '[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]';
const ZERO_WHEN_FALSE = new Set(['uniqueItems', 'exclusiveMaximum', 'exclusiveMinimum', 'nullable', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string']);
const ZERO_WHEN_EMPTY = new Set(['id', '$schema', 'description', 'type', 'format', 'title', 'pattern']);

function isZeroField(key: string, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (ZERO_WHEN_FALSE.has(key)) return v === false;
  if (ZERO_WHEN_EMPTY.has(key)) return v === '';
  return false;
}

function validateVersionSchema(schema: StructuralSchema, path: string, statusEnabled: boolean, out: FieldCause[]): void {
  const root = `${path}.openAPIV3Schema`;
  if (statusEnabled) {
    for (const [key, allowed] of ROOT_FIELDS) {
      const v = schema[key];
      if (isZeroField(key, v)) continue;
      if (key === 'type') {
        if (v !== 'object') {
          out.push(fieldError.invalid(`${root}.type`, v, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!allowed) {
        out.push(fieldError.invalid(root, schema, `only ${ROOT_ALLOWED_GO_NAMES} fields are allowed at the root of the schema if the status subresource is enabled`));
        break;
      }
    }
  }
  if (schema.nullable === true) out.push(fieldError.forbidden(`${root}.nullable`, 'nullable cannot be true at the root'));
  checkOpenApiSchema(schema, root, { isRoot: true, insideMeta: false, allowDefaults: true, defaultsReason: '' }, out);
  const structural: FieldCause[] = [];
  checkStructural(schema, 'root', root, structural);
  structural.sort((a, b) => {
    const x = `${a.field}: ${a.message}`;
    const y = `${b.field}: ${b.message}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  out.push(...structural);
  if (structural.length === 0) checkDefaults(schema, root, false, true, out);
}

interface SchemaContext {
  isRoot: boolean;
  insideMeta: boolean;
  allowDefaults: boolean;
  defaultsReason: string;
}

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const TYPE_AND_OBJECT_META = new Set(['apiVersion', 'kind', 'metadata']);

function nonEmptyMap(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length > 0;
}

function schemaEntries(v: unknown): [string, StructuralSchema][] {
  if (!isObject(v)) return [];
  return Object.entries(v).flatMap(([k, s]): [string, StructuralSchema][] => (isObject(s) ? [[k, s as StructuralSchema]] : []));
}

function schemaItems(v: unknown): StructuralSchema[] {
  return (asArray(v) ?? []).map(asSchema).filter((s): s is StructuralSchema => s !== undefined);
}

/** The OpenAPI subset a CRD schema may use (specStandardValidatorV3 and ValidateCustomResourceDefinitionOpenAPISchema). */
function checkOpenApiSchema(s: StructuralSchema, p: string, ctx: SchemaContext, out: FieldCause[]): void {
  checkForbiddenKeywords(s, p, ctx, out);
  const props = schemaEntries(s.properties);
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    if (props.length > 0 && (s.additionalProperties === false || isObject(s.additionalProperties))) {
      out.push(fieldError.forbidden(`${p}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = ctx.insideMeta ? { ...ctx, isRoot: false, allowDefaults: false, defaultsReason: 'inside additionalProperties applying to object metadata' } : { ...ctx, isRoot: false };
    const extra = additionalSchema(s);
    if (extra) checkOpenApiSchema(extra, `${p}.additionalProperties`, sub, out);
  }
  for (const [k, prop] of props) {
    let sub: SchemaContext = { ...ctx, isRoot: false };
    if ((ctx.isRoot || s['x-kubernetes-embedded-resource'] === true) && TYPE_AND_OBJECT_META.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (ctx.isRoot) sub = { ...sub, allowDefaults: false, defaultsReason: `in top-level ${k}` };
    }
    checkOpenApiSchema(prop, keyPath(`${p}.properties`, k), sub, out);
  }
  const nested = { ...ctx, isRoot: false };
  const not = asSchema(s.not);
  if (not) checkOpenApiSchema(not, `${p}.not`, nested, out);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    schemaItems(s[key]).forEach((x, i) => checkOpenApiSchema(x, indexPath(`${p}.${key}`, i), nested, out));
  }
  const items = asSchema(s.items);
  if (items) checkOpenApiSchema(items, `${p}.items`, nested, out);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    out.push(fieldError.invalid(`${p}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  checkMapType(s, p, out);
  checkListType(s, p, out);
}

function checkForbiddenKeywords(s: StructuralSchema, p: string, ctx: SchemaContext, out: FieldCause[]): void {
  const type = s.type;
  if (typeof type === 'string' && type !== '' && !OPENAPI_TYPES.includes(type)) out.push(fieldError.notSupported(`${p}.type`, type, OPENAPI_TYPES));
  if (s.default !== undefined && s.default !== null && !ctx.allowDefaults) {
    out.push(fieldError.forbidden(`${p}.default`, `must not be set${ctx.defaultsReason ? ` ${ctx.defaultsReason}` : ''}`));
  }
  if (typeof s.id === 'string' && s.id !== '') out.push(fieldError.forbidden(`${p}.id`, 'id is not supported'));
  if (s.additionalItems !== undefined) out.push(fieldError.forbidden(`${p}.additionalItems`, 'additionalItems is not supported'));
  if (nonEmptyMap(s.patternProperties)) out.push(fieldError.forbidden(`${p}.patternProperties`, 'patternProperties is not supported'));
  if (nonEmptyMap(s.definitions)) out.push(fieldError.forbidden(`${p}.definitions`, 'definitions is not supported'));
  if (s.dependencies !== undefined) out.push(fieldError.forbidden(`${p}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined) out.push(fieldError.forbidden(`${p}.$ref`, '$ref is not supported'));
  if (type === 'null') out.push(fieldError.forbidden(`${p}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length > 0) out.push(fieldError.forbidden(`${p}.items`, 'items must be a schema object and not an array'));
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource'] === true) {
    out.push(fieldError.forbidden(`${p}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));
  }
  if (s.uniqueItems === true) {
    out.push(fieldError.forbidden(`${p}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  }
}

function checkMapType(s: StructuralSchema, p: string, out: FieldCause[]): void {
  const mapType = s['x-kubernetes-map-type'];
  if (mapType === undefined || mapType === null) return;
  if (s.type !== 'object') {
    const detail = 'must be object if x-kubernetes-map-type is specified';
    out.push(s.type ? fieldError.invalid(`${p}.type`, s.type, detail) : fieldError.required(`${p}.type`, detail));
  }
  if (mapType !== 'atomic' && mapType !== 'granular') {
    out.push(fieldError.notSupported(`${p}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
}

function checkListType(s: StructuralSchema, p: string, out: FieldCause[]): void {
  const listType = s['x-kubernetes-list-type'];
  const items = asSchema(s.items);
  const hasListType = listType !== undefined && listType !== null;
  if (hasListType && s.type !== 'array') {
    const detail = 'must be array if x-kubernetes-list-type is specified';
    out.push(s.type ? fieldError.invalid(`${p}.type`, s.type, detail) : fieldError.required(`${p}.type`, detail));
  } else if (listType === 'set' && items) {
    const atomicDetail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemListType = items['x-kubernetes-list-type'];
    if (items.type === 'array' && itemListType !== undefined && itemListType !== 'atomic') {
      out.push(fieldError.invalid(`${p}.items.x-kubernetes-list-type`, itemListType, atomicDetail));
    } else if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      out.push(fieldError.invalid(`${p}.items.x-kubernetes-map-type`, itemListType ?? null, atomicDetail));
    }
  }
  if (hasListType && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    out.push(fieldError.notSupported(`${p}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  const keys = asArray(s['x-kubernetes-list-map-keys']) ?? [];
  if (keys.length > 0 && listType !== 'map') {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    out.push(hasListType ? fieldError.invalid(`${p}.x-kubernetes-list-type`, listType, detail) : fieldError.required(`${p}.x-kubernetes-list-type`, detail));
  }
  if (listType === 'map') checkListMap(s, keys, p, out);
  if (listType === 'set' || listType === 'map') {
    if (items?.nullable === true) out.push(fieldError.forbidden(`${p}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  }
}

function checkListMap(s: StructuralSchema, keys: unknown[], p: string, out: FieldCause[]): void {
  if (keys.length === 0) out.push(fieldError.required(`${p}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  if (s.items === undefined || s.items === null) {
    out.push(fieldError.required(`${p}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    return;
  }
  const items = asSchema(s.items);
  if (!items) {
    out.push(fieldError.invalid(`${p}.items`, s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    return;
  }
  if (items.type !== 'object') {
    out.push(fieldError.invalid(`${p}.items.type`, items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    return;
  }
  const props = isObject(items.properties) ? items.properties : {};
  const required = new Set((asArray(items.required) ?? []).map(str));
  const seen = new Set<string>();
  for (const raw of keys) {
    const k = str(raw);
    const prop = hasOwn(props, k) ? asSchema(props[k]) : undefined;
    const propPath = keyPath(`${p}.items.properties`, k);
    if (!prop) out.push(fieldError.invalid(`${p}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'));
    else checkListMapKey(prop, required.has(k), propPath, out);
    if (seen.has(k)) out.push(fieldError.invalid(`${p}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'));
    seen.add(k);
  }
}

function checkListMapKey(prop: StructuralSchema, required: boolean, propPath: string, out: FieldCause[]): void {
  if (prop.type === 'array' || prop.type === 'object') {
    out.push(fieldError.invalid(`${propPath}.type`, 'object', "must be a scalar type if parent array's x-kubernetes-list-type is map"));
  }
  if (!required && (prop.default === undefined || prop.default === null)) {
    out.push(fieldError.required(`${propPath}.default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
  }
  if (prop.nullable === true) {
    out.push(fieldError.forbidden(`${propPath}.nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
  }
}

// ---------------------------------------------------------------------------------------------
// Structural schema invariants (ValidateStructural, without the completeness check)

type Level = 'root' | 'item' | 'field';

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  const branches = asArray(anyOf);
  if (!branches || branches.length !== 2) return false;
  const only = (b: unknown, type: string): boolean => isObject(b) && b.type === type && Object.keys(b).every((k) => k === 'type');
  return only(branches[0], 'integer') && only(branches[1], 'string');
}

function checkStructural(s: StructuralSchema, lvl: Level, p: string, out: FieldCause[]): void {
  const items = asSchema(s.items);
  if (s.type === 'array' && !items) out.push(fieldError.required(`${p}.items`, 'must be specified'));
  if (items) checkStructural(items, 'item', `${p}.items`, out);
  for (const [k, prop] of schemaEntries(s.properties)) checkStructural(prop, 'field', keyPath(`${p}.properties`, k), out);
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    if (lvl === 'root') out.push(fieldError.forbidden(`${p}.additionalProperties`, 'must not be used at the root'));
    const extra = additionalSchema(s);
    if (extra) checkStructural(extra, 'field', `${p}.additionalProperties`, out);
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) {
    out.push(fieldError.invalid(`${p}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString && embedded) {
    out.push(fieldError.invalid(`${p}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  const allOf = schemaItems(s.allOf);
  checkValueValidation(s, isIntOrStringAnyOf(s.anyOf), allOf.length > 0 && isIntOrStringAnyOf(allOf[0].anyOf), lvl, p, out);
  checkStructuralTypes(s, lvl, p, out);
}

function checkStructuralTypes(s: StructuralSchema, lvl: Level, p: string, out: FieldCause[]): void {
  const type = str(s.type);
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    out.push(type ? fieldError.invalid(`${p}.type`, type, detail) : fieldError.required(`${p}.type`, detail));
  } else if (!type && s['x-kubernetes-int-or-string'] !== true && !preserve) {
    const detail = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[lvl];
    out.push(fieldError.required(`${p}.type`, detail));
  }
  if (embedded && s.additionalProperties !== undefined && s.additionalProperties !== null) {
    out.push(fieldError.forbidden(`${p}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && type && type !== 'object') out.push(fieldError.invalid(`${p}.type`, type, 'must be object at the root'));
  const props = isObject(s.properties) ? s.properties : {};
  if (lvl === 'root' || embedded) {
    for (const [k, want] of [['kind', 'string'], ['apiVersion', 'string'], ['metadata', 'object']]) {
      const prop = hasOwn(props, k) ? asSchema(props[k]) : undefined;
      if (prop && prop.type !== want) out.push(fieldError.invalid(`${keyPath(`${p}.properties`, k)}.type`, prop.type ?? '', `must be ${want}`));
    }
  }
  const metadata = hasOwn(props, 'metadata') ? asSchema(props.metadata) : undefined;
  if (lvl === 'root' && metadata && !isPlainRootMetadata(metadata)) {
    out.push(
      fieldError.forbidden(
        keyPath(`${p}.properties`, 'metadata'),
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    );
  }
  if (embedded && !preserve && schemaEntries(s.properties).length === 0) {
    out.push(fieldError.required(`${p}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

/** Root metadata may only be `type: object`, optionally restricting name and generateName. */
function isPlainRootMetadata(m: StructuralSchema): boolean {
  for (const [k, v] of Object.entries(m)) {
    if (k === 'type' || k === 'default' || k === 'example' || k === 'externalDocs') continue;
    if (k === 'properties') {
      const names = isObject(v) ? Object.keys(v) : [];
      if (names.every((n) => n === 'name' || n === 'generateName')) continue;
      return false;
    }
    if (v === undefined || v === null || v === false || v === '') continue;
    return false;
  }
  return true;
}

function checkValueValidation(s: StructuralSchema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, p: string, out: FieldCause[]): void {
  if (!skipAnyOf) schemaItems(s.anyOf).forEach((x, i) => checkNested(x, false, lvl, indexPath(`${p}.anyOf`, i), out));
  schemaItems(s.allOf).forEach((x, i) => checkNested(x, skipFirstAllOfAnyOf && i === 0, lvl, indexPath(`${p}.allOf`, i), out));
  schemaItems(s.oneOf).forEach((x, i) => checkNested(x, false, lvl, indexPath(`${p}.oneOf`, i), out));
  const not = asSchema(s.not);
  if (not) checkNested(not, false, lvl, `${p}.not`, out);
  if (typeof s.pattern === 'string' && s.pattern !== '' && !isValidPattern(s.pattern)) {
    out.push(fieldError.invalid(`${p}.pattern`, s.pattern, "must be a valid regular expression, but isn't: invalid pattern"));
  }
}

const NESTED_FORBIDDEN: [string, (v: unknown) => boolean, string][] = [
  ['type', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['additionalProperties', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['default', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['title', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['description', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['nullable', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-int-or-string', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
  ['x-kubernetes-list-type', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
];

/** A schema under allOf/anyOf/oneOf/not may only hold value validations. */
function checkNested(v: StructuralSchema, skipAnyOf: boolean, lvl: Level, p: string, out: FieldCause[]): void {
  checkValueValidation(v, skipAnyOf, false, lvl, p, out);
  const items = asSchema(v.items);
  if (items) checkNested(items, false, lvl, `${p}.items`, out);
  const props = schemaEntries(v.properties);
  for (const [k, prop] of props) checkNested(prop, false, 'field', keyPath(`${p}.properties`, k), out);
  for (const [key, present, detail] of NESTED_FORBIDDEN) {
    if (present(v[key])) out.push(fieldError.forbidden(`${p}.${key}`, detail));
  }
  if (props.some(([k]) => k === 'metadata')) {
    out.push(fieldError.forbidden(keyPath(`${p}.properties`, 'metadata'), 'must not be specified in a nested context'));
  }
}

// ---------------------------------------------------------------------------------------------
// Defaults must be pruned and validate against their schema (not checked inside resource metadata).

function checkDefaults(s: StructuralSchema, p: string, insideMeta: boolean, isRoot: boolean, out: FieldCause[]): void {
  if (!insideMeta && s.default !== undefined && s.default !== null) checkDefault(s, p, out);
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [k, prop] of schemaEntries(s.properties)) {
    const meta = insideMeta || ((isRoot || embedded) && TYPE_AND_OBJECT_META.has(k));
    checkDefaults(prop, keyPath(`${p}.properties`, k), meta, false, out);
  }
  const extra = additionalSchema(s);
  if (extra) checkDefaults(extra, `${p}.additionalProperties`, insideMeta, false, out);
  const items = asSchema(s.items);
  if (items) checkDefaults(items, `${p}.items`, insideMeta, false, out);
}

function checkDefault(s: StructuralSchema, p: string, out: FieldCause[]): void {
  const defaultPath = `${p}.default`;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const { pruned } = pruneUnknownFields(s.default, s, { isResourceRoot: embedded, dropNullsWithoutDefaults: false });
  if (pruned.length > 0) {
    out.push(fieldError.invalid(defaultPath, s.default, 'must not have unknown fields'));
    return;
  }
  const defaulted = applySchemaDefaults(s.default, s);
  for (const e of validateBySchema(defaulted, s)) {
    const field = !e.field ? defaultPath : e.field.startsWith('[') ? `${defaultPath}${e.field}` : childPath(defaultPath, e.field);
    out.push({ ...e, field });
  }
}
