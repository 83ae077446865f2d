// Argmax on fp16 bit patterns orders values as the floats they encode, skips NaN and keeps the first maximum.
import { test } from "node:test";
import assert from "node:assert/strict";
import { argmaxFp16, argmaxFp32, argmaxLastPosition, fp16Key } from "../../../src/engine/onnxruntime/argmax.js";
import { SeededRandom } from "../../../src/util/rng.js";

/** Reference decoder of an fp16 bit pattern. */
function fp16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

test("the fp16 key orders every non-NaN pattern as its float value", () => {
  const patterns = [...Array(65536).keys()].filter((b) => !Number.isNaN(fp16ToFloat(b)));
  const byKey = [...patterns].sort((a, b) => fp16Key(a) - fp16Key(b));
  for (let i = 1; i < byKey.length; i++) assert.ok(fp16ToFloat(byKey[i - 1]) <= fp16ToFloat(byKey[i]), `${byKey[i - 1]} before ${byKey[i]}`);
});

test("fp16 argmax agrees with the argmax of the decoded floats on random rows", () => {
  const rng = new SeededRandom(7, "argmax");
  for (let trial = 0; trial < 300; trial++) {
    // Mixed signs (the fast path), all negative, and negatives with zeros (the exact fallback).
    const mask = [0xffff, 0xffff, 0x8000][trial % 3];
    const row = Uint16Array.from({ length: 97 }, () => {
      const bits = rng.nextUint32() & 0xffff;
      if (trial % 3 === 0) return bits;
      if (trial % 3 === 1) return bits | mask;
      return rng.nextUint32() % 4 === 0 ? (rng.nextUint32() & 1) * 0x8000 : bits | mask; // ±0 among negatives
    });
    const floats = Array.from(row, fp16ToFloat);
    let best = -1;
    floats.forEach((v, i) => { if (!Number.isNaN(v) && (best < 0 || v > floats[best])) best = i; });
    assert.equal(argmaxFp16(row, 0, row.length), best);
  }
});

test("ties keep the first index; all-NaN rows are an error", () => {
  assert.equal(argmaxFp16(Uint16Array.from([0x3c00, 0x4000, 0x4000]), 0, 3), 1);
  assert.equal(argmaxFp16(Uint16Array.from([0xbc00, 0x8000, 0x0000]), 0, 3), 1, "-0 and +0 tie: the first wins");
  assert.equal(argmaxFp32(Float32Array.from([1, 5, 5, -2]), 0, 4), 1);
  assert.equal(argmaxFp32(Float32Array.from([-Infinity, -Infinity]), 0, 2), 0);
  assert.throws(() => argmaxLastPosition(Uint16Array.from([0x7e00, 0x7e00]), 1, 1, 2), /all NaN/);
});

test("argmaxLastPosition reads each row's last position", () => {
  // batch 2, seq 2, vocab 3: only the last position of each row counts.
  const logits = Float32Array.from([9, 0, 0, 0, 1, 0, /* row 1 */ 0, 0, 9, 2, 0, 1]);
  assert.deepEqual(argmaxLastPosition(logits, 2, 2, 3), [1, 0]);
  assert.throws(() => argmaxLastPosition(logits, 2, 3, 3), /expected batch 2 × seq 3 × vocab 3/);
});
