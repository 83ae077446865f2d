// Streamed weight writing: block seams, transposition, MatMulNBits packing, and worker threads change no byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { fromHalfArray } from "../../src/models/onnx/fp16.js";
import { dequantizeRow, kBlocks, zeroPointBytesPerRow } from "../../src/models/onnx/nbits.js";
import { runWeightJob, type WeightJob } from "../../src/models/onnx/weight-jobs.js";
import { weightValues, type WeightSpec } from "../../src/models/presets.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-jobs-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const spec: WeightSpec = { name: "model.layers.0.mlp.up_proj.weight", shape: [70, 48], init: "normal", stream: "model.layers.0.mlp.up_proj.weight", role: "linear" };
const [rows, cols] = spec.shape;
const values = weightValues(7, spec);

function run(job: WeightJob, blockElements: number, bytes: number): Uint8Array {
  const path = join(root, `${job.kind}-${blockElements}-${"table" in job ? job.table : ""}`);
  const fd = openSync(path, "w");
  runWeightJob(job, fd, 7, blockElements);
  closeSync(fd);
  const data = readFileSync(path);
  assert.equal(data.length, bytes);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

test("transposed fp32 write equals Wᵀ for any block size (seams between row blocks)", () => {
  for (const blockElements of [96, 1000, 1 << 20]) {
    const data = run({ kind: "transposed", spec, form: "fp32", offset: 0 }, blockElements, rows * cols * 4);
    const t = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) assert.equal(t[c * rows + r], values[r * cols + c]);
  }
});

test("transposed with columns writes a band of a wider [in, total] matrix (packed Q/K/V)", () => {
  const total = rows + 10;
  const start = 6;
  const path = join(root, "band");
  const fd = openSync(path, "w");
  runWeightJob({ kind: "transposed", spec, form: "fp32", offset: 0, columns: { total, start } }, fd, 7, 96);
  closeSync(fd);
  const data = readFileSync(path);
  const t = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  assert.equal(t.length, (cols - 1) * total + start + rows); // the last row of the band ends the file
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) assert.equal(t[c * total + start + r], values[r * cols + c]);
});

test("rope tables hold cos/sin of position × inverse frequency, whatever the block size", () => {
  for (const blockElements of [5, 1 << 20]) {
    const data = run({ kind: "rope", name: "sin_cache", table: "sin", positions: 9, dim: 8, theta: 10000, form: "fp32", offset: 0 },
      blockElements, 9 * 4 * 4);
    const t = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    for (let p = 0; p < 9; p++) {
      for (let i = 0; i < 4; i++) assert.ok(Math.abs(t[p * 4 + i] - Math.sin(p / 10000 ** (i / 4))) < 1e-6, `position ${p} pair ${i}`);
    }
  }
});

test("plain fp16 write equals the values rounded to half", () => {
  const data = run({ kind: "plain", spec, form: "fp16", offset: 0 }, 100, rows * cols * 2);
  const halves = fromHalfArray(new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)));
  for (let i = 0; i < values.length; i++) assert.ok(Math.abs(halves[i] - values[i]) <= Math.abs(values[i]) * 2 ** -11 + 2 ** -25);
});

for (const bits of [4, 8] as const) {
  test(`MatMulNBits ${bits}-bit layout dequantizes within half a step of each block`, () => {
    const shape = { bits, blockSize: 32, n: rows, k: cols }; // k=48: the second block is padded
    const blocks = kBlocks(shape);
    const bBytes = rows * blocks * 32 * bits / 8;
    const scaleBytes = rows * blocks * 4;
    const zpBytes = rows * zeroPointBytesPerRow(shape);
    const data = run({ kind: "nbits", spec, shape, scaleForm: "fp32",
      offsets: { b: 0, scales: bBytes, zeroPoints: bBytes + scaleBytes } }, 200, bBytes + scaleBytes + zpBytes);
    const b = data.subarray(0, bBytes);
    const scales = new Float32Array(data.buffer.slice(data.byteOffset + bBytes, data.byteOffset + bBytes + scaleBytes));
    const zp = data.subarray(bBytes + scaleBytes);
    for (let r = 0; r < rows; r++) {
      const row = dequantizeRow(r, shape, b, scales, zp);
      for (let c = 0; c < cols; c++) {
        const step = scales[r * blocks + Math.floor(c / 32)];
        assert.ok(Math.abs(row[c] - values[r * cols + c]) <= step / 2 + 1e-9, `row ${r} col ${c}`);
      }
    }
  });
}

for (const graph of ["portable", "fused"] as const) {
  test(`worker threads write the same bytes as one thread (${graph})`, async () => {
    const one = await buildModel({ preset: "tiny-qwen2", dtype: "fp16", graph, outDir: join(root, `w1-${graph}`), workers: 1 });
    const two = await buildModel({ preset: "tiny-qwen2", dtype: "fp16", graph, outDir: join(root, `w2-${graph}`), workers: 2 });
    assert.deepEqual(two.files, one.files);
  });
}
