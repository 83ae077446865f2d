// The protobuf writer and reader agree, including negative int64 varints and nested messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter, readFields, toInt, toText } from "../../src/formats/protobuf.js";

test("varints round-trip, negatives as 10-byte two's complement", () => {
  const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 5, -1, -2, -(2 ** 40)];
  const w = new ProtoWriter();
  values.forEach((v, i) => w.int(i + 1, v));
  const fields = readFields(w.finish());
  assert.deepEqual(fields.map((f) => toInt(f.value as bigint)), values);
  const minusOne = new ProtoWriter().varint(-1).finish();
  assert.equal(minusOne.length, 10);
});

test("known encoding: field 1 varint 150 is 08 96 01", () => {
  assert.deepEqual([...new ProtoWriter().int(1, 150).finish()], [0x08, 0x96, 0x01]);
});

test("strings, floats, fixed64 and nested messages", () => {
  const bytes = new ProtoWriter()
    .string(2, "wattlab")
    .float(3, 1.5)
    .fixed64(4, 2n ** 63n)
    .message(5, (m) => m.int(1, 7).string(2, "inner"))
    .finish();
  const [s, f, x, m] = readFields(bytes);
  assert.equal(toText(s.value as Uint8Array), "wattlab");
  assert.equal(f.value, 1.5);
  assert.equal(x.value, 2n ** 63n);
  const inner = readFields(m.value as Uint8Array);
  assert.equal(inner[0].value, 7n);
  assert.equal(toText(inner[1].value as Uint8Array), "inner");
});

test("a truncated message is reported as damaged", () => {
  const bytes = new ProtoWriter().string(1, "abcdef").finish().subarray(0, 4);
  assert.throws(() => readFields(bytes), /damaged/);
});
