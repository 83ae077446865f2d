// Q8_0 / Q4_0 blocks as ggml lays them out, with the round-trip error their scales allow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GgmlType } from "../../../src/models/gguf/constants.js";
import { decodeTensor, encodeTensor, StreamingEncoder } from "../../../src/models/gguf/quantize.js";
import { fromHalf } from "../../../src/models/onnx/fp16.js";
import { seededNormal } from "../../../src/util/rng.js";

const values = seededNormal(7, "quantize-test", 32 * 256, 0.02);

function blockScales(type: GgmlType, bytes: Uint8Array): number[] {
  const blockBytes = type === GgmlType.Q8_0 ? 34 : 18;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / blockBytes }, (_, b) => Math.abs(fromHalf(view.getUint16(b * blockBytes, true))));
}

test("Q4_0 block layout: f16 scale, element j in the low nibble of byte j, element j+16 in the high one", () => {
  // max |x| is 8 at x = -8, so d = -8 / -8 = 1 and q = x + 8
  const x = Float32Array.from({ length: 32 }, (_, j) => (j < 16 ? j - 8 : 7 - (j - 16)));
  const bytes = encodeTensor(GgmlType.Q4_0, x);
  assert.equal(bytes.length, 18);
  assert.equal(bytes[0] | (bytes[1] << 8), 0x3c00); // 1.0 in f16
  for (let j = 0; j < 16; j++) assert.equal(bytes[2 + j], j | ((15 - j) << 4), `byte ${j}`);
  assert.deepEqual(decodeTensor(GgmlType.Q4_0, bytes, 32), x);
});

test("Q8_0 block layout: f16 scale amax/127, then 32 int8 rounded half away from zero", () => {
  const x = Float32Array.from({ length: 32 }, (_, j) => (j - 16) * 0.5); // amax 8 at j = 0
  const bytes = encodeTensor(GgmlType.Q8_0, x);
  assert.equal(bytes.length, 34);
  const d = fromHalf(bytes[0] | (bytes[1] << 8));
  assert.ok(Math.abs(d - 8 / 127) < 1e-4);
  const q = Int8Array.from(bytes.subarray(2));
  assert.equal(q[0], -127);
  assert.equal(q[16], 0);
  assert.equal(q[31], Math.round(7.5 * 127 / 8));
});

test("Q8_0 round-trip error stays within half a step of each block's scale", () => {
  const bytes = encodeTensor(GgmlType.Q8_0, values);
  const back = decodeTensor(GgmlType.Q8_0, bytes, values.length);
  const scales = blockScales(GgmlType.Q8_0, bytes);
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const err = Math.abs(back[i] - values[i]);
    // half a step, plus the f16 rounding of d applied to |q| ≤ 127
    assert.ok(err <= scales[i >> 5] * (0.5 + 127 * 2 ** -11) + 1e-9, `element ${i}: error ${err}`);
    sq += (back[i] - values[i]) ** 2;
  }
  const rel = Math.sqrt(sq / values.length) / 0.02;
  assert.ok(rel < 0.01, `Q8_0 relative RMS error ${rel}`);
});

test("Q4_0 round-trip error stays within half a step (one step where +8 clamps to 7)", () => {
  const bytes = encodeTensor(GgmlType.Q4_0, values);
  const back = decodeTensor(GgmlType.Q4_0, bytes, values.length);
  const scales = blockScales(GgmlType.Q4_0, bytes);
  let sq = 0;
  let clamped = 0;
  for (let i = 0; i < values.length; i++) {
    const err = Math.abs(back[i] - values[i]);
    const d = scales[i >> 5];
    const slack = 8 * d * 2 ** -11 + 1e-9;
    if (err > d * 0.5 + slack) { clamped++; assert.ok(err <= d + slack, `element ${i}: error ${err} > step ${d}`); }
    sq += (back[i] - values[i]) ** 2;
  }
  const rel = Math.sqrt(sq / values.length) / 0.02;
  assert.ok(rel > 0.05 && rel < 0.2, `Q4_0 relative RMS error ${rel}`);
  assert.ok(clamped < values.length / 32, `${clamped} clamped elements`);
});

test("F16 round-trips within half an f16 ulp", () => {
  const back = decodeTensor(GgmlType.F16, encodeTensor(GgmlType.F16, values), values.length);
  for (let i = 0; i < values.length; i++) assert.ok(Math.abs(back[i] - values[i]) <= Math.abs(values[i]) * 2 ** -11 + 2 ** -25);
});

test("streamed chunks of any size encode to the same bytes as the whole tensor", () => {
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0]) {
    const whole = Buffer.from(encodeTensor(type, values));
    const encoder = new StreamingEncoder(type);
    const parts: Buffer[] = [];
    for (let at = 0, size = 1; at < values.length; at += size, size = (size * 7) % 101 + 1) {
      parts.push(Buffer.from(encoder.push(values.slice(at, at + size))));
    }
    encoder.finish();
    assert.ok(Buffer.concat(parts).equals(whole), `type ${GgmlType[type]}`);
  }
  const partial = new StreamingEncoder(GgmlType.Q8_0);
  partial.push(new Float32Array(40));
  assert.throws(() => partial.finish(), /8 values left over/);
});
