// float32 → float16 bits rounds to nearest even and handles the edges like IEEE 754.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHalf, toHalf, toHalfArray } from "../../src/models/onnx/fp16.js";

test("exact values and edges", () => {
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
  assert.equal(toHalf(65504), 0x7bff);
  assert.equal(toHalf(65520), 0x7c00); // rounds up to infinity
  assert.equal(toHalf(Infinity), 0x7c00);
  assert.equal(toHalf(-0), 0x8000);
  assert.equal(toHalf(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(toHalf(2 ** -26), 0x0000); // below half of it: zero
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
});

test("ties round to even", () => {
  assert.equal(toHalf(1 + 2 ** -11), 0x3c00); // halfway between 1 and next: even (1)
  assert.equal(toHalf(1 + 3 * 2 ** -11), 0x3c02); // halfway between odd and even: up to even
  assert.equal(toHalf(1 + 2 ** -11 + 2 ** -20), 0x3c01); // above halfway: up
});

test("round trip of every finite half is exact", () => {
  const values = new Float32Array(0x7c00);
  for (let h = 0; h < 0x7c00; h++) values[h] = fromHalf(h);
  const back = toHalfArray(values);
  for (let h = 0; h < 0x7c00; h++) assert.equal(back[h], h);
});
