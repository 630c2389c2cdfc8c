/**
 * A minimal protocol buffers wire-format writer (and a field reader for tests and debugging).
 * Enough for encoding gnostic's `openapi.v2.Document`: varints, 64-bit doubles, length-delimited
 * strings and nested messages. Everything goes into one growable buffer; a nested message
 * reserves one byte for its length and, in the rare case the length needs more, shifts its bytes
 * right once when it is closed.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

const encoder = new TextEncoder();

function varintSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/** Marks an open nested message: where its one-byte length placeholder sits. */
export type MessageMark = number;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes a non-negative integer (up to 2^53) as a varint. */
  private varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private varintBig(value: bigint): void {
    this.ensure(10);
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, value: string): void {
    this.tag(field, WIRE_LEN);
    const max = value.length * 3;
    if (max < 128) {
      // Short strings: encode in place after a one-byte length.
      this.ensure(max + 1);
      const start = this.pos + 1;
      const { written } = encoder.encodeInto(value, this.buf.subarray(start, start + max));
      this.buf[this.pos] = written;
      this.pos = start + written;
      return;
    }
    const bytes = encoder.encode(value);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.raw(value);
  }

  bool(field: number, value: boolean): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value ? 1 : 0);
  }

  /** int64/uint64 fields; negative numbers are written as 64-bit two's complement like protoc does. */
  int64(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    const v = Math.trunc(value);
    if (v >= 0 && Number.isSafeInteger(v)) this.varint(v);
    else this.varintBig(BigInt(v));
  }

  double(field: number, value: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Opens a nested message in `field`; write its fields, then close it with `end`. */
  begin(field: number): MessageMark {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  /** Closes the nested message opened at `mark`, writing its length. */
  end(mark: MessageMark): void {
    const len = this.pos - mark - 1;
    const size = varintSize(len);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(mark + size, mark + 1, this.pos);
      this.pos += size - 1;
    }
    let v = len;
    let at = mark;
    while (v >= 0x80) {
      this.buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at] = v;
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The encoded bytes (a copy; the writer may be discarded). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** One decoded field: varints as bigint, fixed64 as the raw 8 bytes' double, length-delimited as bytes. */
export type ProtoField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; value: number }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: number };

/** Splits one message into its fields (no schema needed). Throws on malformed input. */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error('truncated varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (pos < bytes.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Error('field number 0');
    switch (wire) {
      case 0:
        out.push({ field, wire, value: readVarint() });
        break;
      case 1: {
        if (pos + 8 > bytes.length) throw new Error('truncated fixed64');
        const value = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, true);
        pos += 8;
        out.push({ field, wire, value });
        break;
      }
      case 2: {
        const len = Number(readVarint());
        if (pos + len > bytes.length) throw new Error('truncated length-delimited field');
        out.push({ field, wire, value: bytes.subarray(pos, pos + len) });
        pos += len;
        break;
      }
      case 5: {
        if (pos + 4 > bytes.length) throw new Error('truncated fixed32');
        const value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true);
        pos += 4;
        out.push({ field, wire, value });
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}
