/**
 * Which fields a built-in kind has, from the same wire schema the protobuf decoder uses, so that
 * unknown fields in JSON/YAML bodies are dropped as Kubernetes' typed decoding drops them — and
 * reported, when the client asked for `fieldValidation=Strict|Warn` (kubectl's default is Strict).
 */
import { KINDS, MESSAGES, type FieldSpec } from '../protobuf/schema.js';

/** Messages whose JSON form is a scalar or free-form, so nothing below them is checked. */
const OPAQUE = new Set([
  'meta.v1.Time',
  'meta.v1.MicroTime',
  'meta.v1.Duration',
  'meta.v1.FieldsV1',
  'runtime.RawExtension',
  'runtime.Unknown',
  'intstr.IntOrString',
  'resource.Quantity',
]);

const fieldCache = new Map<string, Map<string, FieldSpec>>();

/** A message's JSON fields, with those of inlined (embedded) messages lifted into it. */
function fieldsOf(message: string): Map<string, FieldSpec> {
  let fields = fieldCache.get(message);
  if (fields) return fields;
  fields = new Map();
  for (const spec of Object.values(MESSAGES[message] ?? {})) {
    if (spec[2]?.includes('i')) for (const [k, v] of fieldsOf(spec[1])) fields.set(k, v);
    else fields.set(spec[0], spec);
  }
  fieldCache.set(message, fields);
  return fields;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasKnownFields(apiVersion: string, kind: string): boolean {
  return KINDS[`${apiVersion}/${kind}`] !== undefined;
}

/**
 * Removes the fields the kind does not have, in place, and returns their dotted paths (Kubernetes'
 * form for strict-decoding errors, e.g. `spec.template.spec.containers[0].imagee`). Kinds without a
 * schema here are left alone.
 */
export function pruneUnknownBuiltinFields(apiVersion: string, kind: string, obj: Record<string, unknown>): string[] {
  const message = KINDS[`${apiVersion}/${kind}`];
  if (!message) return [];
  const pruned: string[] = [];
  for (const key of Object.keys(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    const spec = fieldsOf(message).get(key);
    if (!spec) {
      pruned.push(key);
      delete obj[key];
    } else walk(obj[key], spec, key, pruned);
  }
  return pruned;
}

function walk(value: unknown, spec: FieldSpec, path: string, pruned: string[]): void {
  const type = spec[1];
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkValue(item, type, `${path}[${i}]`, pruned));
    return;
  }
  walkValue(value, type, path, pruned);
}

function walkValue(value: unknown, type: string, path: string, pruned: string[]): void {
  if (!isObject(value)) return;
  const map = /^map<string,(.+)>$/.exec(type);
  if (map) {
    const valueType = map[1];
    if (!MESSAGES[valueType] || OPAQUE.has(valueType)) return;
    for (const [k, v] of Object.entries(value)) walkValue(v, valueType, `${path}[${k}]`, pruned);
    return;
  }
  if (!MESSAGES[type] || OPAQUE.has(type)) return;
  const fields = fieldsOf(type);
  for (const key of Object.keys(value)) {
    const spec = fields.get(key);
    if (!spec) {
      pruned.push(`${path}.${key}`);
      delete value[key];
    } else walk(value[key], spec, `${path}.${key}`, pruned);
  }
}
