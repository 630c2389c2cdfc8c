/**
 * Validation of a custom resource (or any JSON value) against a CRD's structural OpenAPI v3 schema,
 * reporting every problem with the reasons and wording the Kubernetes API server uses:
 *
 * 1. the OpenAPI schema validation (kube-openapi's validators, mapped to field errors the way
 *    apiextensions-apiserver maps them): type, nullable, format, enum, string/number/array/object
 *    constraints, allOf/anyOf/oneOf/not, additionalProperties;
 * 2. `x-kubernetes-embedded-resource` objects (apiVersion, kind, metadata);
 * 3. `x-kubernetes-list-type: set|map` uniqueness.
 *
 * Messages embed the body path as kube-openapi prints it (`spec.replicas in body must be of type
 * integer: "string"`). `x-kubernetes-validations` (CEL) is not evaluated.
 */
import { fieldError } from '../errors.js';
import type { FieldCause, StructuralSchema } from '../objects.js';
import { matchesFormat, supportedFormat } from './schema-formats.js';
import {
  additionalSchema,
  asSchema,
  childPath,
  deepEqual,
  dns1035LabelErrors,
  dns1123LabelErrors,
  hasOwn,
  indexPath,
  isObject,
  mapKeyPath,
  type JsonMap,
} from './util.js';

/**
 * Validates `value` against `schema`. `rootPath` prefixes every reported path (empty for a whole
 * custom resource, whose fields then print as `spec.foo`). Returns every error found: the schema
 * errors in document order, then those of embedded resources and of list-type uniqueness.
 */
export function validateBySchema(value: unknown, schema: StructuralSchema, rootPath = ''): FieldCause[] {
  const out: FieldCause[] = [];
  validateValue(value, schema, rootPath, out);
  walkEmbeddedResources(value, schema, rootPath, out);
  walkListTypes(value, schema, rootPath, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Message helpers

/** Go's %q for the short strings that appear in these messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** kube-openapi names the value by its path "in body". */
function subject(path: string): string {
  return `${path} in body`;
}

function typeMessage(path: string, typeName: string, value: string): string {
  return `${subject(path)} must be of type ${typeName}: ${quote(value)}`;
}

/** Go's %v of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

function tooMany(path: string, actual: number, max: number): FieldCause {
  return {
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}`,
    field: path,
  };
}

/** JSON type name of a value as kube-openapi infers it from decoded JSON. */
function dataType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function schemaTypes(s: StructuralSchema): string[] {
  if (s['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return typeof s.type === 'string' && s.type !== '' ? [s.type] : [];
}

// ---------------------------------------------------------------------------------------------
// Patterns: ECMA-262 in the schema, compiled once.

const patternCache = new Map<string, RegExp | null>();

function compilePattern(pattern: string): RegExp | null {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  let source = pattern;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$').replace(/\\A/g, '^');
  let re: RegExp | null = null;
  for (const f of [`${flags}u`, flags]) {
    try {
      re = new RegExp(source, f);
      break;
    } catch {
      re = null;
    }
  }
  patternCache.set(pattern, re);
  return re;
}

/** True when the pattern compiles (as the apiserver requires of a CRD schema's `pattern`). */
export function isValidPattern(pattern: string): boolean {
  return compilePattern(pattern) !== null;
}

// ---------------------------------------------------------------------------------------------
// 1. OpenAPI schema validation

function validateValue(data: unknown, s: StructuralSchema, path: string, out: FieldCause[]): void {
  const types = schemaTypes(s);
  const format = supportedFormat(s.format);
  if (data === null || data === undefined) {
    if (types.length > 0 && s.nullable !== true) {
      out.push(fieldError.typeInvalid(path, 'null', typeMessage(path, types.join(','), 'null')));
    }
    checkEnum(null, s, path, out);
    return;
  }
  checkType(data, types, format, path, out);
  checkComposition(data, s, path, out);
  if (typeof data === 'string') checkString(data, s, format, path, out);
  else if (typeof data === 'number') checkNumber(data, s, path, out);
  else if (Array.isArray(data)) checkArray(data, s, path, out);
  checkEnum(data, s, path, out);
  if (isObject(data)) checkObject(data, s, path, out);
}

function checkType(data: unknown, types: string[], format: string, path: string, out: FieldCause[]): void {
  if (types.length === 0 && !format) return;
  const actual = dataType(data);
  const stringOrArray = typeof data === 'string' || Array.isArray(data);
  const dataFormat = typeof data === 'number' ? (Number.isInteger(data) ? 'int64' : 'float64') : '';
  const intForNumber = actual === 'integer' && types.includes('number');
  if (!stringOrArray && format && !(types.includes(actual) || dataFormat === format || intForNumber)) {
    out.push(fieldError.typeInvalid(path, dataFormat, typeMessage(path, format, dataFormat)));
    return;
  }
  if (!(types.includes('number') || types.includes('integer')) && format && stringOrArray) return;
  if (!(types.includes(actual) || intForNumber)) {
    out.push(fieldError.typeInvalid(path, actual, typeMessage(path, types.join(','), actual)));
  }
}

function subErrors(data: unknown, s: StructuralSchema, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  validateValue(data, s, path, errs);
  return errs;
}

function schemaList(v: unknown): StructuralSchema[] {
  return Array.isArray(v) ? v.map(asSchema).filter((x): x is StructuralSchema => x !== undefined) : [];
}

/** allOf / anyOf / oneOf / not, with kube-openapi's messages. */
function checkComposition(data: unknown, s: StructuralSchema, path: string, out: FieldCause[]): void {
  const anyOf = schemaList(s.anyOf);
  if (anyOf.length > 0) {
    let best: FieldCause[] | undefined;
    let passed = false;
    for (const sub of anyOf) {
      const errs = subErrors(data, sub, path);
      if (errs.length === 0) {
        passed = true;
        break;
      }
      if (!best || errs.length < best.length) best = errs;
    }
    if (!passed) {
      out.push(fieldError.invalid(path, '', `${quote(path)} must validate at least one schema (anyOf)`));
      if (best) out.push(...best);
    }
  }

  const oneOf = schemaList(s.oneOf);
  if (oneOf.length > 0) {
    let best: FieldCause[] | undefined;
    let validated = 0;
    for (const sub of oneOf) {
      const errs = subErrors(data, sub, path);
      if (errs.length === 0) {
        validated++;
        best = undefined;
        continue;
      }
      if (validated === 0 && (!best || errs.length < best.length)) best = errs;
    }
    if (validated !== 1) {
      const detail = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      out.push(fieldError.invalid(path, '', `${quote(path)} must validate one and only one schema (oneOf). ${detail}`));
      if (best) out.push(...best);
    }
  }

  const allOf = schemaList(s.allOf);
  if (allOf.length > 0) {
    let validated = 0;
    for (const sub of allOf) {
      const errs = subErrors(data, sub, path);
      if (errs.length === 0) validated++;
      out.push(...errs);
    }
    if (validated !== allOf.length) {
      const detail = validated === 0 ? '. None validated' : '';
      out.push(fieldError.invalid(path, '', `${quote(path)} must validate all the schemas (allOf)${detail}`));
    }
  }

  const not = asSchema(s.not);
  if (not && subErrors(data, not, path).length === 0) {
    out.push(fieldError.invalid(path, '', `${quote(path)} must not validate the schema (not)`));
  }
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkString(data: string, s: StructuralSchema, format: string, path: string, out: FieldCause[]): void {
  if (typeof s.maxLength === 'number' || typeof s.minLength === 'number') {
    const len = runeCount(data);
    if (typeof s.maxLength === 'number' && len > s.maxLength) out.push(fieldError.tooLong(path, data, s.maxLength));
    if (typeof s.minLength === 'number' && len < s.minLength) {
      out.push(fieldError.invalid(path, data, `${subject(path)} should be at least ${s.minLength} chars long`));
    }
  }
  if (typeof s.pattern === 'string' && s.pattern !== '') {
    const re = compilePattern(s.pattern);
    if (re && !re.test(data)) out.push(fieldError.invalid(path, data, `${subject(path)} should match '${s.pattern}'`));
  }
  if (format && !matchesFormat(format, data)) {
    out.push(fieldError.typeInvalid(path, data, typeMessage(path, format, data)));
  }
}

/** swag.IsFloat64AJSONInteger: integral within a relative epsilon of 1e-9. */
function isJsonInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  const g = Math.round(f);
  if (f === g) return true;
  return Math.abs(f - g) / (Math.abs(f) + Math.abs(g)) < 1e-9;
}

function checkNumber(data: number, s: StructuralSchema, path: string, out: FieldCause[]): void {
  const isInt = Number.isInteger(data);
  const show = (limit: number): string => (isInt ? String(Math.trunc(limit)) : goFloat(limit));
  if (typeof s.multipleOf === 'number') {
    const factor = s.multipleOf;
    if (factor < 0) {
      out.push(fieldError.invalid(path, factor, `factor MultipleOf declared for ${path} must be positive: ${goFloat(factor)}`));
    } else if (factor > 0) {
      const ok = isInt && Number.isInteger(factor) ? data % factor === 0 : isJsonInteger(factor < 1 ? (1 / factor) * data : data / factor);
      if (!ok) {
        const shown = isInt && Number.isInteger(factor) ? String(factor) : goFloat(factor);
        out.push(fieldError.invalid(path, data, `${subject(path)} should be a multiple of ${shown}`));
      }
    }
  }
  if (typeof s.minimum === 'number') {
    const limit = isInt ? Math.trunc(s.minimum) : s.minimum;
    const exclusive = s.exclusiveMinimum === true;
    if (exclusive ? data <= limit : data < limit) {
      const rel = exclusive ? 'greater than' : 'greater than or equal to';
      out.push(fieldError.invalid(path, data, `${subject(path)} should be ${rel} ${show(limit)}`));
    }
  }
  if (typeof s.maximum === 'number') {
    const limit = isInt ? Math.trunc(s.maximum) : s.maximum;
    const exclusive = s.exclusiveMaximum === true;
    if (exclusive ? data >= limit : data > limit) {
      const rel = exclusive ? 'less than' : 'less than or equal to';
      out.push(fieldError.invalid(path, data, `${subject(path)} should be ${rel} ${show(limit)}`));
    }
  }
}

function checkArray(data: unknown[], s: StructuralSchema, path: string, out: FieldCause[]): void {
  const items = asSchema(s.items);
  if (items) data.forEach((item, i) => validateValue(item, items, indexPath(path, i), out));
  if (typeof s.minItems === 'number' && data.length < s.minItems) {
    out.push(fieldError.invalid(path, data.length, `${subject(path)} should have at least ${s.minItems} items`));
  }
  if (typeof s.maxItems === 'number' && data.length > s.maxItems) out.push(tooMany(path, data.length, s.maxItems));
  if (s.uniqueItems === true && hasDuplicates(data)) {
    out.push(fieldError.invalid(path, '', `${subject(path)} shouldn't contain duplicates`));
  }
}

function hasDuplicates(data: unknown[]): boolean {
  const seen = new Set<string>();
  for (const x of data) {
    const k = canonicalKey(x);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

function checkEnum(data: unknown, s: StructuralSchema, path: string, out: FieldCause[]): void {
  const values = s.enum;
  if (!Array.isArray(values) || values.length === 0) return;
  if (data !== null && values.some((v) => deepEqual(v, data))) return;
  const allowed = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  out.push(fieldError.notSupported(path, data, allowed));
}

function checkObject(data: JsonMap, s: StructuralSchema, path: string, out: FieldCause[]): void {
  const keys = Object.keys(data);
  if (typeof s.minProperties === 'number' && keys.length < s.minProperties) {
    out.push(fieldError.invalid(path, keys.length, `${subject(path)} should have at least ${s.minProperties} properties`));
    return;
  }
  if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) {
    out.push(tooMany(path, keys.length, s.maxProperties));
    return;
  }
  const props = isObject(s.properties) ? s.properties : undefined;
  const extra = additionalSchema(s);
  for (const k of keys) {
    const prop = props && hasOwn(props, k) ? asSchema(props[k]) : undefined;
    if (prop) validateValue(data[k], prop, childPath(path, k), out);
    else if (props && hasOwn(props, k)) continue;
    else if (s.additionalProperties === false) {
      out.push(fieldError.invalid(path, k, `${path}.${k} in body is a forbidden property`));
    } else if (extra) validateValue(data[k], extra, mapKeyPath(path, k), out);
  }
  if (Array.isArray(s.required)) {
    for (const k of s.required) {
      if (typeof k === 'string' && !hasOwn(data, k)) out.push(fieldError.required(childPath(path, k)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. x-kubernetes-embedded-resource: apiVersion and kind required, metadata a valid ObjectMeta.

/** Children of an object value along `properties` / `additionalProperties` (not composition). */
function objectChildren(x: JsonMap, s: StructuralSchema, path: string): [unknown, StructuralSchema, string][] {
  const props = isObject(s.properties) ? s.properties : undefined;
  const extra = additionalSchema(s);
  const out: [unknown, StructuralSchema, string][] = [];
  for (const [k, v] of Object.entries(x)) {
    const prop = props && hasOwn(props, k) ? asSchema(props[k]) : undefined;
    if (prop) out.push([v, prop, childPath(path, k)]);
    else if (extra) out.push([v, extra, mapKeyPath(path, k)]);
  }
  return out;
}

function walkEmbeddedResources(x: unknown, s: StructuralSchema | undefined, path: string, out: FieldCause[]): void {
  if (!s) return;
  if (isObject(x)) {
    if (s['x-kubernetes-embedded-resource'] === true) validateEmbeddedResource(x, path, out);
    for (const [v, sub, p] of objectChildren(x, s, path)) walkEmbeddedResources(v, sub, p, out);
  } else if (Array.isArray(x)) {
    const items = asSchema(s.items);
    x.forEach((v, i) => walkEmbeddedResources(v, items, indexPath(path, i), out));
  }
}

function validateEmbeddedResource(x: JsonMap, path: string, out: FieldCause[]): void {
  if (!hasOwn(x, 'apiVersion')) out.push(fieldError.required(childPath(path, 'apiVersion')));
  if (!hasOwn(x, 'kind')) out.push(fieldError.required(childPath(path, 'kind')));
  for (const [k, v] of Object.entries(x)) {
    const p = childPath(path, k);
    if (k === 'apiVersion') {
      if (typeof v !== 'string') out.push(fieldError.invalid(p, v, 'must be a string'));
      else if (v === '') out.push(fieldError.invalid(p, v, 'must not be empty'));
      else if ((v.match(/\//g) ?? []).length > 1) out.push(fieldError.invalid(p, v, `unexpected GroupVersion string: ${v}`));
    } else if (k === 'kind') {
      if (typeof v !== 'string') out.push(fieldError.invalid(p, v, 'must be a string'));
      else if (v === '') out.push(fieldError.invalid(p, v, 'must not be empty'));
      else {
        const errs = dns1035LabelErrors(v.toLowerCase());
        if (errs.length > 0) out.push(fieldError.invalid(p, v, `may have mixed case, but should otherwise match: ${errs.join(',')}`));
      }
    } else if (k === 'metadata') {
      validateEmbeddedMeta(v, p, out);
    }
  }
}

function validateEmbeddedMeta(meta: unknown, path: string, out: FieldCause[]): void {
  if (meta === null || meta === undefined) return;
  if (!isObject(meta)) {
    out.push(fieldError.invalid(path, meta, `invalid metadata: expected object, got ${dataType(meta)}`));
    return;
  }
  for (const k of ['name', 'generateName', 'namespace']) {
    const v = meta[k];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      out.push(fieldError.invalid(path, meta, `.${k}: expected string, got ${dataType(v)}`));
      return;
    }
  }
  const name = typeof meta.name === 'string' ? meta.name : '';
  for (const msg of pathSegmentErrors(name)) out.push(fieldError.invalid(childPath(path, 'name'), name, msg));
  if (typeof meta.namespace === 'string' && meta.namespace !== '') {
    for (const msg of dns1123LabelErrors(meta.namespace)) out.push(fieldError.invalid(childPath(path, 'namespace'), meta.namespace, msg));
  }
}

function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

// ---------------------------------------------------------------------------------------------
// 3. x-kubernetes-list-type: set and map uniqueness.

/** Canonical text of a JSON value with sorted keys; scalars are tagged by type. */
function canonicalKey(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v}:${String(v)}`;
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(',')}]`;
  const o = v as JsonMap;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalKey(o[k])}`)
    .join(',')}}`;
}

/** Indices of the second occurrence of each repeated key (each repeated value reported once). */
function nonUniqueIndices(keys: string[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  keys.forEach((k, i) => {
    const times = seen.get(k) ?? 0;
    if (times === 1) out.push(i);
    seen.set(k, times + 1);
  });
  return out;
}

function walkListTypes(x: unknown, s: StructuralSchema | undefined, path: string, out: FieldCause[]): void {
  if (!s) return;
  if (isObject(x)) {
    for (const [v, sub, p] of objectChildren(x, s, path)) walkListTypes(v, sub, p, out);
    return;
  }
  if (!Array.isArray(x)) return;
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of nonUniqueIndices(x.map(canonicalKey))) out.push(fieldError.duplicate(indexPath(path, i), x[i]));
  } else if (listType === 'map') {
    validateListMap(x, s, path, out);
  }
  const items = asSchema(s.items);
  x.forEach((v, i) => walkListTypes(v, items, indexPath(path, i), out));
}

function validateListMap(x: unknown[], s: StructuralSchema, path: string, out: FieldCause[]): void {
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== null && x[i] !== undefined && !isObject(x[i])) {
      out.push(fieldError.invalid(indexPath(path, i), x[i], 'must be an object for an array of list-type map'));
      return;
    }
  }
  if (x.length <= 1) return;
  const keyFields = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  const keyObjects = x.map((item) => {
    const key: JsonMap = {};
    if (isObject(item)) for (const f of keyFields) if (hasOwn(item, f)) key[f] = item[f];
    return key;
  });
  for (const i of nonUniqueIndices(keyObjects.map(canonicalKey))) {
    out.push(fieldError.duplicate(indexPath(path, i), keyObjects[i]));
  }
}
