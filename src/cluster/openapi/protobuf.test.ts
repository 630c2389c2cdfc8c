import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, readFields } from './protobuf.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

test('varints round-trip at every length boundary', () => {
  const values = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
  const w = new ProtoWriter(4);
  for (const [i, v] of values.entries()) w.int64(i + 1, v);
  const fields = readFields(w.finish());
  assert.deepEqual(
    fields.map((f) => [f.field, f.wire, f.value]),
    values.map((v, i) => [i + 1, 0, BigInt(v)]),
  );
});

test('known encodings match protoc byte for byte', () => {
  const w = new ProtoWriter();
  w.int64(1, 150); // the protobuf docs' example: 08 96 01
  w.string(2, 'testing'); // 12 07 74 65 73 74 69 6e 67
  w.bool(3, true); // 18 01
  assert.deepEqual([...w.finish()], [0x08, 0x96, 0x01, 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67, 0x18, 0x01]);
});

test('negative int64 is ten bytes of two’s complement', () => {
  const w = new ProtoWriter();
  w.int64(1, -1);
  const bytes = w.finish();
  assert.equal(bytes.length, 11);
  const [f] = readFields(bytes);
  assert.equal(f.wire, 0);
  assert.equal(f.value, 2n ** 64n - 1n);
});

test('doubles are little-endian fixed64', () => {
  const w = new ProtoWriter();
  w.double(7, 1.5);
  w.double(8, -0.25);
  const fields = readFields(w.finish());
  assert.deepEqual(
    fields.map((f) => [f.field, f.wire, f.value]),
    [
      [7, 1, 1.5],
      [8, 1, -0.25],
    ],
  );
});

test('strings are UTF-8 with lengths past one byte', () => {
  const long = 'é'.repeat(200); // 400 bytes
  const w = new ProtoWriter(8);
  w.string(1, 'ünïcødé ✓');
  w.string(2, long);
  w.string(3, '');
  const fields = readFields(w.finish());
  assert.equal(fields.length, 3);
  assert.equal(text(fields[0].value as Uint8Array), 'ünïcødé ✓');
  assert.equal(text(fields[1].value as Uint8Array), long);
  assert.equal((fields[2].value as Uint8Array).length, 0);
});

test('nested messages of every size get correct length prefixes', () => {
  for (const size of [0, 1, 120, 127, 128, 5000, 20000, 3_000_000]) {
    const w = new ProtoWriter(16);
    w.int64(1, 7);
    const outer = w.begin(2);
    const inner = w.begin(3);
    w.bytes(4, new Uint8Array(size).fill(0xab));
    w.end(inner);
    w.string(5, 'after');
    w.end(outer);
    w.bool(6, true);
    const top = readFields(w.finish());
    assert.deepEqual(
      top.map((f) => f.field),
      [1, 2, 6],
    );
    const outerFields = readFields(top[1].value as Uint8Array);
    assert.deepEqual(
      outerFields.map((f) => f.field),
      [3, 5],
    );
    assert.equal(text(outerFields[1].value as Uint8Array), 'after');
    const [payload] = readFields(outerFields[0].value as Uint8Array);
    assert.equal((payload.value as Uint8Array).length, size);
    assert.ok((payload.value as Uint8Array).every((b) => b === 0xab));
  }
});

test('readFields rejects truncated input', () => {
  const w = new ProtoWriter();
  w.string(1, 'hello');
  const bytes = w.finish();
  assert.throws(() => readFields(bytes.subarray(0, bytes.length - 1)), /truncated/);
});
