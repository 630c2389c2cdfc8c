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
  // The path is kept as segments and joined only for a field that is pruned (rarely any).
  const path: string[] = [];
  for (const key of Object.keys(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    const spec = fieldsOf(message).get(key);
    if (!spec) {
      pruned.push(key);
      delete obj[key];
      continue;
    }
    path.push(key);
    walk(obj[key], spec, path, pruned);
    path.pop();
  }
  return pruned;
}

function walk(value: unknown, spec: FieldSpec, path: string[], pruned: string[]): void {
  const type = spec[1];
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(`[${i}]`);
      walkValue(value[i], type, path, pruned);
      path.pop();
    }
    return;
  }
  walkValue(value, type, path, pruned);
}

/** The value type of a `map<string,T>` field type, or null (memoized: this runs for every object in every write). */
const mapValueTypes = new Map<string, string | null>();

function mapValueType(type: string): string | null {
  let valueType = mapValueTypes.get(type);
  if (valueType === undefined) {
    valueType = /^map<string,(.+)>$/.exec(type)?.[1] ?? null;
    mapValueTypes.set(type, valueType);
  }
  return valueType;
}

function walkValue(value: unknown, type: string, path: string[], pruned: string[]): void {
  if (!isObject(value)) return;
  const valueType = mapValueType(type);
  if (valueType !== null) {
    if (!MESSAGES[valueType] || OPAQUE.has(valueType)) return;
    for (const [k, v] of Object.entries(value)) {
      path.push(`[${k}]`);
      walkValue(v, valueType, path, pruned);
      path.pop();
    }
    return;
  }
  if (!MESSAGES[type] || OPAQUE.has(type)) return;
  const fields = fieldsOf(type);
  for (const key of Object.keys(value)) {
    const spec = fields.get(key);
    if (!spec) {
      pruned.push(`${path.join('')}.${key}`);
      delete value[key];
      continue;
    }
    path.push(`.${key}`);
    walk(value[key], spec, path, pruned);
    path.pop();
  }
}
