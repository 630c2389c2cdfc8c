/**
 * Small helpers shared by the built-in type modules: safe accessors over untyped JSON, field paths
 * printed the way Go's `field.Path` prints them, Go-style rendering of values for error messages
 * (`%#v` / `%q`), and a semantic equality that treats absent, null, empty maps and empty lists alike
 * (as Kubernetes' `apiequality.Semantic.DeepEqual` does for nil vs empty).
 */
import type { FieldCause } from '../objects.js';

export type JsonMap = Record<string, unknown>;

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getMap(o: unknown, key: string): JsonMap | undefined {
  if (!isMap(o)) return undefined;
  const v = o[key];
  return isMap(v) ? v : undefined;
}

export function getArray(o: unknown, key: string): unknown[] | undefined {
  if (!isMap(o)) return undefined;
  const v = o[key];
  return Array.isArray(v) ? v : undefined;
}

/** The string at `key`, or '' when absent or not a string (Go's zero value). */
export function getString(o: unknown, key: string): string {
  if (!isMap(o)) return '';
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

export function getOptString(o: unknown, key: string): string | undefined {
  if (!isMap(o)) return undefined;
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(o: unknown, key: string): number | undefined {
  if (!isMap(o)) return undefined;
  const v = o[key];
  return typeof v === 'number' ? v : undefined;
}

export function getBool(o: unknown, key: string): boolean | undefined {
  if (!isMap(o)) return undefined;
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** True when the key is present with a non-null value (a Go pointer field that is set). */
export function isSet(o: unknown, key: string): boolean {
  return isMap(o) && o[key] !== undefined && o[key] !== null;
}

/** A `map[string]string` field: string values only; undefined when absent. */
export function getStringMap(o: unknown, key: string): Record<string, string> | undefined {
  const m = getMap(o, key);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Returns the map at `key`, creating it when absent. */
export function ensureMap(o: JsonMap, key: string): JsonMap {
  const v = o[key];
  if (isMap(v)) return v;
  const m: JsonMap = {};
  o[key] = m;
  return m;
}

export function setDefault(o: JsonMap, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

/**
 * Deep copy of plain JSON, with exactly the result of a JSON round trip (undefined-valued keys
 * dropped, undefined array items and non-finite numbers become null). Plain objects and arrays are
 * copied directly, which is several times cheaper than `JSON.parse(JSON.stringify(v))` (and than
 * structuredClone); anything else (a Date, a class instance, a toJSON method) takes the round trip.
 * It runs on nearly every write, often more than once.
 */
export function clone<T>(v: T): T {
  if (v === undefined) return v;
  if (typeof v !== 'object' || v === null || !isPlainJson(v)) return JSON.parse(JSON.stringify(v)) as T;
  return copyJson(v) as T;
}

/** True for an array or a plain object without a toJSON method (what `copyJson` copies itself). */
function isPlainJson(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

function copyJson(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(v); // throws the TypeError the round trip would
    default:
      // undefined, functions and symbols: JSON has no such values (callers map them to null or drop them).
      return undefined;
  }
  if (v === null) return null;
  if (!isPlainJson(v)) return JSON.parse(JSON.stringify(v)) as unknown;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = copyJson(v[i]);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  const src = v as JsonMap;
  const out: JsonMap = {};
  for (const k of Object.keys(src)) {
    const item = copyJson(src[k]);
    if (item === undefined) continue;
    // JSON.parse makes `__proto__` an own data property; plain assignment would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    else out[k] = item;
  }
  return out;
}

// ---- field paths, printed like Go's field.Path ----

export function child(path: string, ...names: string[]): string {
  let p = path;
  for (const n of names) p = p ? `${p}.${n}` : n;
  return p;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

// ---- Go-style value rendering for error messages ----

/** Go's `%q` for a string (strconv.Quote). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        out += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return `${out}"`;
}

/** `%#v` of a `map[string]string` (keys sorted, as fmt prints maps). */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k])}`).join(', ')}}`;
}

/** `%#v` of a `[]string`. */
export function goStringSlice(v: unknown, nil = '[]string(nil)'): string {
  if (!Array.isArray(v)) return nil;
  return `[]string{${v.map((s) => goQuote(typeof s === 'string' ? s : String(s))).join(', ')}}`;
}

function goMapFromUnknown(v: unknown): Record<string, string> | undefined {
  if (!isMap(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}

/** `%#v` of a `metav1.LabelSelector` value, e.g. `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(sel: unknown): string {
  const ml = goStringMap(goMapFromUnknown(isMap(sel) ? sel.matchLabels : undefined));
  const exprs = isMap(sel) ? sel.matchExpressions : undefined;
  let me = '[]v1.LabelSelectorRequirement(nil)';
  if (Array.isArray(exprs)) {
    const items = exprs.map(
      (e) =>
        `v1.LabelSelectorRequirement{Key:${goQuote(getString(e, 'key'))}, Operator:${goQuote(getString(e, 'operator'))}, Values:${goStringSlice(isMap(e) ? e.values : undefined)}}`,
    );
    me = `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
  }
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}

/** `%#v` of an `intstr.IntOrString` value. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  const n = typeof v === 'number' ? v : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** Go's `%#v` of a nil-able pointer in a struct dump: nil, or a stand-in address (Go prints a real one). */
export function goPtr(type: string, v: unknown): string {
  return v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0xc000000000)`;
}

// ---- causes the errors.ts builders cannot express (composite values, NotFound) ----

/** FieldValueInvalid with a value already rendered the Go way. */
export function invalidRendered(field: string, rendered: string, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${rendered}${detail ? `: ${detail}` : ''}`, field };
}

export function notSupportedRendered(field: string, rendered: string, allowed: readonly string[]): FieldCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${rendered}: supported values: ${allowed.map((a) => goQuote(a)).join(', ')}`,
    field,
  };
}

export function duplicateRendered(field: string, rendered: string): FieldCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${rendered}`, field };
}

export function notFoundCause(field: string, value: string): FieldCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${goQuote(value)}`, field };
}

// ---- semantic equality ----

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map(normalize);
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize(v[k]);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

/** Deep equality where absent, null, `{}` and `[]` are the same (nil and empty are equal in Go's semantic DeepEqual). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  // Plain structural equality implies semantic equality and is far cheaper than normalizing both
  // sides; update validation compares mostly-unchanged specs on every write.
  if (structurallyEqual(a, b)) return true;
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** Deep equality of JSON values, undefined-valued keys counting as absent (false on anything else unsure). */
function structurallyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!structurallyEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonMap;
  const bo = b as JsonMap;
  let count = 0;
  for (const k of Object.keys(ao)) {
    if (ao[k] === undefined) continue;
    count++;
    if (!Object.hasOwn(bo, k) || !structurallyEqual(ao[k], bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (bo[k] !== undefined) count--;
  return count === 0;
}

/** Go's `len(s)` for a string: its UTF-8 byte length. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
