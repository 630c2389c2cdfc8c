/**
 * Small JSON helpers shared by the patch engines. Internal to `cluster/patch`.
 */
import type { JsonObject, JsonValue } from '../objects.js';

/** True for a JSON object: not null, not an array. */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The own value under `key`, never one inherited from `Object.prototype` (keys come from request bodies). */
export function ownValue(o: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/**
 * Sets an own property. Plain assignment of `__proto__` would swap the object's prototype instead
 * of storing data, and patch bodies are untrusted.
 */
export function setKey(o: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

/** A deep copy that shares nothing with its input. */
export function cloneJson<T extends JsonValue>(v: T): T;
export function cloneJson(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((x) => cloneJson(x));
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) setKey(out, k, cloneJson(x));
  return out;
}

/** Structural equality of two JSON values (object key order does not matter). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}
