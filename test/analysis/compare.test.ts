// compareRows: B over A per configuration, a verdict only where the whole interval is on one side of 1, rows below
// the counter's resolution left out and counted, estimates said, and the settings the two sides differ in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareRows } from "../../src/analysis/compare.js";

type Row = Record<string, string | number | boolean | null>;
const config = { model: "tiny", engine: "llama.cpp", device: "cuda", quantization: "fp16", dataset: "alpaca", input_length: 128, output_length: 128 };
const row = (batch: number, jPerToken: number, extra: Row = {}): Row => ({
  ...config, batch_size: batch, tokens_out: 128 * batch, gpu_energy_j_measured: jPerToken * 128 * batch, gpu_j_per_output_token_measured: jPerToken,
  below_resolution: false, flash_attention: "auto", cpu_threads: 16, ...extra,
});

test("B lower, B higher and undecided follow the ratio's 95% interval; configurations on one side only are counted", () => {
  const a = [row(1, 3.30), row(1, 3.36), row(1, 3.42), row(4, 0.90), row(4, 0.91), row(4, 0.92), row(8, 0.5), row(8, 0.6), row(8, 0.7)];
  const b = [row(1, 2.95), row(1, 2.96), row(1, 2.97), row(4, 1.20), row(4, 1.21), row(4, 1.22), row(8, 0.45), row(8, 0.6), row(8, 0.75), row(16, 0.3), row(16, 0.31)]
    .map((r) => ({ ...r, flash_attention: "off" }));
  const c = compareRows(a, b, "gpu_j_per_output_token");
  assert.deepEqual(c.configs.map((x) => [x.config.batch_size, x.verdict]), [[1, "B lower"], [4, "B higher"], [8, "undecided"]]);
  assert.ok(Math.abs(c.configs[0].ratio.ratio - 2.96 / 3.36) < 1e-9);
  assert.deepEqual([c.onlyA, c.onlyB], [0, 1]);
  assert.deepEqual(c.settings, [{ column: "flash_attention", a: ["auto"], b: ["off"] }]);
  assert.equal(c.configs[0].estimated, false);
});

test("a row below the counter's resolution is left out of its side and counted; equal settings are not listed", () => {
  const a = [row(1, 3.3), row(1, 3.4), row(1, 3.35)];
  const b = [row(1, 2.9), row(1, 3.0), row(1, 2.95), row(1, 40, { below_resolution: true })];
  const c = compareRows(a, b, "gpu_j_per_output_token");
  assert.equal(c.configs[0].belowResolution, 1);
  assert.equal(c.configs[0].ratio.nB, 3);
  assert.equal(c.configs[0].verdict, "B lower", "the flagged 40 J/token row would have made it higher");
  assert.deepEqual(c.settings, []);
});

test("a side holding one configuration under two keyed settings is named, since its rows pool both", () => {
  const a = [row(1, 3.3), row(1, 3.4), row(1, 3.35, { backend_env: "GGML_CUDA_DISABLE_GRAPHS=1" })];
  const b = [row(1, 2.9), row(1, 3.0), row(1, 2.95)];
  const c = compareRows(a, b, "gpu_j_per_output_token");
  assert.deepEqual(c.mixed, [{ side: "A", column: "backend_env", values: ["GGML_CUDA_DISABLE_GRAPHS=1", "–"] }]);
  assert.deepEqual(compareRows(b, b, "gpu_j_per_output_token").mixed, []);
});
