/**
 * A protocol buffers wire-format reader: varints, fixed32/fixed64 and length-delimited fields, with
 * bounds checked on every read. Malformed input throws `WireError`; the caller turns it into a 400.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export class WireError extends Error {
  override name = 'WireError';
}

export class WireReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as an unsigned 64-bit bigint. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint that must fit a JavaScript number (tags, lengths). */
  smallVarint(): number {
    // Fast path for the common one- and two-byte varints.
    if (this.pos < this.end && this.buf[this.pos] < 0x80) return this.buf[this.pos++];
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError('length or tag out of range');
    return Number(v);
  }

  /** A field key: field number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.smallVarint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new WireError('field number 0');
    return { field, wire: key % 8 };
  }

  /** The bounds of a length-delimited field's payload; advances past it. */
  lengthDelimited(): { start: number; end: number } {
    const len = this.smallVarint();
    const start = this.pos;
    if (len > this.end - start) throw new WireError('truncated length-delimited field');
    this.pos = start + len;
    return { start, end: this.pos };
  }

  fixed64(): DataView {
    if (this.end - this.pos < 8) throw new WireError('truncated fixed64');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view;
  }

  fixed32(): DataView {
    if (this.end - this.pos < 4) throw new WireError('truncated fixed32');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    this.pos += 4;
    return view;
  }

  /** Skips one field's value of the given wire type (unknown fields). */
  skip(wire: number, field: number, depth = 0): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.fixed64();
        return;
      case WIRE_LEN:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.fixed32();
        return;
      case WIRE_START_GROUP:
        if (depth > 64) throw new WireError('groups nested too deeply');
        for (;;) {
          if (this.done) throw new WireError(`unterminated group in field ${field}`);
          const t = this.tag();
          if (t.wire === WIRE_END_GROUP) {
            if (t.field !== field) throw new WireError(`mismatched end of group ${field}`);
            return;
          }
          this.skip(t.wire, t.field, depth + 1);
        }
      default:
        throw new WireError(`invalid wire type ${wire} in field ${field}`);
    }
  }
}
