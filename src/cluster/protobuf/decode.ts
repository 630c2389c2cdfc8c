/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON
 * the same object would have. The body is the 4-byte magic `k8s\0` and a `runtime.Unknown`
 * envelope (1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType); `raw` is
 * the typed message, decoded with the table in `schema.ts`.
 *
 * The JSON follows what Go's encoding/json prints for the decoded struct: Go encodes every
 * non-pointer field on the wire, so a zero scalar is dropped (omitempty) unless the table marks the
 * field as a pointer (`p`, e.g. `replicas: 0` survives) or as printed-when-zero (`q`); nested
 * structs are printed whenever present (`status: {}`), an unset `metav1.Time` is `null`, `[]byte`
 * is base64, IntOrString is a number or a string, Quantity is its string, and Go embedded structs
 * (`i`) are flattened into their parent. Field numbers the table does not know are skipped.
 */
import { ApiError } from '../errors.js';
import type { JsonObject, JsonValue, KubeObject } from '../objects.js';
import { KINDS, MESSAGES } from './schema.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The four bytes every Kubernetes protobuf object starts with: `k8s\0`. */
export const KUBERNETES_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** True for `application/vnd.kubernetes.protobuf` with or without parameters (not the `;stream=watch` variant's framing). */
export function isKubernetesProtobuf(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64' | 'bytes' | 'double' | 'float';
const SCALARS: ReadonlySet<string> = new Set<Scalar>(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bytes', 'double', 'float']);

/** A value type: a scalar or a message name. */
type ValueType = { scalar: Scalar } | { message: string };

interface Field {
  json: string;
  value: ValueType;
  /** For `map<string,V>` fields. */
  map: boolean;
  repeated: boolean;
  pointer: boolean;
  inline: boolean;
  required: boolean;
}

const compiled = new Map<string, Map<number, Field>>();

function valueType(type: string): ValueType {
  if (SCALARS.has(type)) return { scalar: type as Scalar };
  if (!(type in MESSAGES)) throw new Error(`protobuf schema: unknown type ${type}`);
  return { message: type };
}

function fieldsOf(message: string): Map<number, Field> {
  let fields = compiled.get(message);
  if (fields) return fields;
  const spec = MESSAGES[message];
  if (!spec) throw new Error(`protobuf schema: unknown message ${message}`);
  fields = new Map();
  for (const [num, [json, type, flags = '']] of Object.entries(spec)) {
    const m = /^map<string,(.+)>$/.exec(type);
    fields.set(Number(num), {
      json,
      value: valueType(m ? m[1] : type),
      map: m !== null,
      repeated: flags.includes('r'),
      pointer: flags.includes('p'),
      inline: flags.includes('i'),
      required: flags.includes('q'),
    });
  }
  compiled.set(message, fields);
  return fields;
}

/** Decoding failed at `path`; becomes a 400 naming the kind. */
class DecodeError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 100;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function describe(apiVersion: string, kind: string): string {
  return `${apiVersion || '(no apiVersion)'}, Kind=${kind || '(no kind)'}`;
}

/**
 * Decodes a whole `application/vnd.kubernetes.protobuf` request body to the object's JSON form.
 * Throws ApiError 400 for malformed bodies and 415 for a kind this server has no protobuf schema for.
 * (A `DeleteOptions` body decodes to an object without `metadata`, as its JSON has none.)
 */
export function decodeKubernetesProtobuf(body: Uint8Array): KubeObject {
  if (body.length < 4 || !KUBERNETES_PROTOBUF_MAGIC.every((b, i) => body[i] === b)) {
    throw new ApiError(400, 'BadRequest', 'the protobuf request body does not start with the Kubernetes "k8s\\x00" prefix');
  }
  let envelope: Envelope;
  try {
    envelope = readEnvelope(body.subarray(4));
  } catch (err) {
    if (err instanceof WireError || err instanceof DecodeError) {
      throw new ApiError(400, 'BadRequest', `the protobuf request body is malformed: ${err.message}`, undefined, { cause: err });
    }
    throw err;
  }
  const { apiVersion, kind, raw, contentEncoding, contentType } = envelope;
  const what = describe(apiVersion, kind);
  if (!apiVersion || !kind) {
    throw new ApiError(400, 'BadRequest', `the protobuf request body does not name its type (${what})`);
  }
  if (contentEncoding) {
    throw new ApiError(415, 'UnsupportedMediaType', `the protobuf request body for ${what} uses content encoding "${contentEncoding}", which this server does not accept`);
  }
  if (contentType && !isKubernetesProtobuf(contentType)) {
    if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
      throw new ApiError(415, 'UnsupportedMediaType', `the protobuf request body for ${what} wraps content of type "${contentType}", which this server does not accept`);
    }
    return { ...parseJsonRaw(raw, what), apiVersion, kind } as KubeObject;
  }
  const message = messageFor(apiVersion, kind);
  if (!message) {
    throw new ApiError(415, 'UnsupportedMediaType', `this server has no protobuf schema for ${what}; send it as JSON`, { kind });
  }
  let decoded: JsonObject;
  try {
    decoded = decodeMessage(message, new WireReader(raw), '', 0);
  } catch (err) {
    if (err instanceof WireError || err instanceof DecodeError) {
      const at = err instanceof DecodeError && err.path ? ` at ${err.path}` : '';
      throw new ApiError(400, 'BadRequest', `the protobuf request body for ${what} is malformed${at}: ${err.message}`, { kind }, { cause: err });
    }
    throw err;
  }
  return { apiVersion, kind, ...decoded } as KubeObject;
}

function messageFor(apiVersion: string, kind: string): string | undefined {
  const message = KINDS[`${apiVersion}/${kind}`];
  if (message) return message;
  // DeleteOptions is registered in every group version (client-go encodes it in the client's own).
  if (kind === 'DeleteOptions') return 'meta.v1.DeleteOptions';
  return undefined;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function readEnvelope(buf: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WIRE_LEN || field > 4) {
      r.skip(wire, field);
      continue;
    }
    const { start, end } = r.lengthDelimited();
    if (field === 1) {
      readTypeMeta(new WireReader(buf, start, end), env);
    } else if (field === 2) {
      env.raw = buf.subarray(start, end);
    } else if (field === 3) {
      env.contentEncoding = decodeUtf8(buf.subarray(start, end), 'contentEncoding');
    } else {
      env.contentType = decodeUtf8(buf.subarray(start, end), 'contentType');
    }
  }
  return env;
}

function readTypeMeta(t: WireReader, env: Envelope): void {
  while (!t.done) {
    const f = t.tag();
    if (f.wire !== WIRE_LEN || (f.field !== 1 && f.field !== 2)) {
      t.skip(f.wire, f.field);
      continue;
    }
    const s = t.lengthDelimited();
    const text = decodeUtf8(t.buf.subarray(s.start, s.end), 'typeMeta');
    if (f.field === 1) env.apiVersion = text;
    else env.kind = text;
  }
}

function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DecodeError('string is not valid UTF-8', path);
  }
}

function parseJsonRaw(raw: Uint8Array, what: string): JsonObject {
  try {
    const v = JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'BadRequest', `the protobuf request body for ${what} wraps JSON content that is not an object`);
}

function child(path: string, json: string): string {
  return path ? `${path}.${json}` : json;
}

/** Messages whose JSON is not an object of their fields. */
const SPECIAL: Readonly<Record<string, (r: WireReader, path: string) => JsonValue>> = {
  'meta.v1.Time': (r, path) => timeValue(r, path, false),
  'meta.v1.MicroTime': (r, path) => timeValue(r, path, true),
  'resource.Quantity': (r, path) => stringField(r, 1, path) ?? '0',
  'resource.QuantityValue': (r, path) => stringField(r, 1, path) ?? '0',
  'intstr.IntOrString': intOrString,
  'meta.v1.FieldsV1': (r, path) => jsonBytes(r, path),
  'runtime.RawExtension': (r, path) => jsonBytes(r, path),
  'meta.v1.Duration': (r, path) => goDuration(Number(BigInt.asIntN(64, varintField(r, 1, path) ?? 0n))),
};

function isExtraValue(message: string): boolean {
  // `type ExtraValue []string` (authentication, authorization, certificates): a message of `items` on the wire.
  return message.endsWith('.ExtraValue') || message === 'meta.v1.Verbs';
}

function decodeValue(message: string, r: WireReader, path: string, depth: number): JsonValue {
  const special = SPECIAL[message];
  if (special) return special(r, path);
  if (isExtraValue(message)) {
    const items: JsonValue[] = [];
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1 && wire === WIRE_LEN) {
        const s = r.lengthDelimited();
        items.push(decodeUtf8(r.buf.subarray(s.start, s.end), path));
      } else r.skip(wire, field);
    }
    return items;
  }
  return decodeMessage(message, r, path, depth);
}

function decodeMessage(message: string, r: WireReader, path: string, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw new DecodeError('objects nested too deeply', path);
  const fields = fieldsOf(message);
  const out: JsonObject = {};
  while (!r.done) {
    const { field: num, wire } = r.tag();
    const field = fields.get(num);
    if (!field) {
      r.skip(wire, num);
      continue;
    }
    const at = field.inline ? path : child(path, field.json);
    if (field.map) {
      expectWire(wire, WIRE_LEN, at);
      const { start, end } = r.lengthDelimited();
      const [key, value] = decodeMapEntry(field.value, new WireReader(r.buf, start, end), at, depth + 1);
      const map = (out[field.json] ??= {}) as JsonObject;
      // defineProperty: a `__proto__` key must stay an ordinary key, as JSON.parse would make it.
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    if ('message' in field.value) {
      expectWire(wire, WIRE_LEN, at);
      const { start, end } = r.lengthDelimited();
      const list = field.repeated ? ((out[field.json] ??= []) as JsonValue[]) : undefined;
      const value = decodeValue(field.value.message, new WireReader(r.buf, start, end), list ? `${at}[${list.length}]` : at, depth + 1);
      if (list) list.push(value);
      else if (field.inline && value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, value);
      else out[field.json] = value;
      continue;
    }
    const scalar = field.value.scalar;
    if (field.repeated) {
      const list = (out[field.json] ??= []) as JsonValue[];
      if (wire === WIRE_LEN && scalar !== 'string' && scalar !== 'bytes') {
        // Packed repeated numbers.
        const { start, end } = r.lengthDelimited();
        const p = new WireReader(r.buf, start, end);
        while (!p.done) list.push(readScalar(p, scalar, wireOf(scalar), at));
      } else {
        list.push(readScalar(r, scalar, wire, at));
      }
      continue;
    }
    const value = readScalar(r, scalar, wire, at);
    if (field.pointer || field.required || !isZero(value)) out[field.json] = value;
    else delete out[field.json];
  }
  return out;
}

function decodeMapEntry(valueType: ValueType, r: WireReader, path: string, depth: number): [string, JsonValue] {
  let key = '';
  let value: JsonValue | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE_LEN, path);
      const s = r.lengthDelimited();
      key = decodeUtf8(r.buf.subarray(s.start, s.end), path);
    } else if (field === 2) {
      if ('message' in valueType) {
        expectWire(wire, WIRE_LEN, path);
        const s = r.lengthDelimited();
        value = decodeValue(valueType.message, new WireReader(r.buf, s.start, s.end), `${path}[${JSON.stringify(key)}]`, depth);
      } else {
        value = readScalar(r, valueType.scalar, wire, path);
      }
    } else {
      r.skip(wire, field);
    }
  }
  if (value === undefined) {
    value = 'message' in valueType ? decodeValue(valueType.message, new WireReader(new Uint8Array(0)), path, depth) : zeroOf(valueType.scalar);
  }
  return [key, value];
}

function wireOf(scalar: Scalar): number {
  switch (scalar) {
    case 'string':
    case 'bytes':
      return WIRE_LEN;
    case 'double':
      return WIRE_FIXED64;
    case 'float':
      return WIRE_FIXED32;
    default:
      return WIRE_VARINT;
  }
}

function expectWire(actual: number, expected: number, path: string): void {
  if (actual !== expected) throw new DecodeError(`wrong wire type ${actual} (expected ${expected})`, path);
}

function readScalar(r: WireReader, scalar: Scalar, wire: number, path: string): JsonValue {
  expectWire(wire, wireOf(scalar), path);
  switch (scalar) {
    case 'string': {
      const { start, end } = r.lengthDelimited();
      return decodeUtf8(r.buf.subarray(start, end), path);
    }
    case 'bytes': {
      const { start, end } = r.lengthDelimited();
      return Buffer.from(r.buf.buffer, r.buf.byteOffset + start, end - start).toString('base64');
    }
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'uint32':
      return Number(BigInt.asUintN(32, r.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint64':
      return Number(r.varint());
    case 'sint32':
    case 'sint64': {
      const v = r.varint();
      return Number((v >> 1n) ^ -(v & 1n));
    }
    case 'double':
      return r.fixed64().getFloat64(0, true);
    case 'float':
      return r.fixed32().getFloat32(0, true);
  }
}

function zeroOf(scalar: Scalar): JsonValue {
  if (scalar === 'string' || scalar === 'bytes') return '';
  if (scalar === 'bool') return false;
  return 0;
}

function isZero(v: JsonValue): boolean {
  return v === '' || v === 0 || v === false;
}

function varintField(r: WireReader, num: number, path: string): bigint | undefined {
  let value: bigint | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === num) {
      expectWire(wire, WIRE_VARINT, path);
      value = r.varint();
    } else r.skip(wire, field);
  }
  return value;
}

function stringField(r: WireReader, num: number, path: string): string | undefined {
  let value: string | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === num) {
      expectWire(wire, WIRE_LEN, path);
      const s = r.lengthDelimited();
      value = decodeUtf8(r.buf.subarray(s.start, s.end), path);
    } else r.skip(wire, field);
  }
  return value;
}

/** metav1.Time / MicroTime: {1 seconds, 2 nanos}; an empty message is the zero time, printed as null. */
function timeValue(r: WireReader, path: string, micro: boolean): JsonValue {
  if (r.done) return null;
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE_VARINT, path);
      seconds = BigInt.asIntN(64, r.varint());
    } else if (field === 2) {
      expectWire(wire, WIRE_VARINT, path);
      nanos = Number(BigInt.asIntN(32, r.varint()));
    } else r.skip(wire, field);
  }
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new DecodeError(`time ${seconds}s is out of range`, path);
  }
  const base = date.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const micros = Math.floor(Math.max(0, Math.min(nanos, 999_999_999)) / 1000);
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

/** IntOrString: {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
function intOrString(r: WireReader, path: string): JsonValue {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE_VARINT, path);
      type = BigInt.asIntN(64, r.varint());
    } else if (field === 2) {
      expectWire(wire, WIRE_VARINT, path);
      intVal = Number(BigInt.asIntN(32, r.varint()));
    } else if (field === 3) {
      expectWire(wire, WIRE_LEN, path);
      const s = r.lengthDelimited();
      strVal = decodeUtf8(r.buf.subarray(s.start, s.end), path);
    } else r.skip(wire, field);
  }
  return type === 1n ? strVal : intVal;
}

/** FieldsV1 / RawExtension: {1 raw}, raw being JSON text; empty is null. */
function jsonBytes(r: WireReader, path: string): JsonValue {
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE_LEN, path);
      const s = r.lengthDelimited();
      raw = r.buf.subarray(s.start, s.end);
    } else r.skip(wire, field);
  }
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(decodeUtf8(raw, path)) as JsonValue;
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError('embedded raw value is not JSON', path);
  }
}

/** Go's time.Duration.String(), e.g. `1h0m0s`, `1.5s`, `300ms`. */
export function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const neg = nanos < 0;
  let n = Math.abs(nanos);
  const sign = neg ? '-' : '';
  if (n < 1e9) {
    if (n < 1e3) return `${sign}${n}ns`;
    if (n < 1e6) return `${sign}${trimFraction(n / 1e3)}µs`;
    return `${sign}${trimFraction(n / 1e6)}ms`;
  }
  const hours = Math.floor(n / 3600e9);
  n -= hours * 3600e9;
  const minutes = Math.floor(n / 60e9);
  n -= minutes * 60e9;
  const seconds = trimFraction(n / 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimFraction(v: number): string {
  return String(Number(v.toFixed(9)));
}
