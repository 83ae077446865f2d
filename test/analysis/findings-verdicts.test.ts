// The study's findings are judged by intervals: a verdict holds or does not hold only when the 95% interval of the
// ratio of means lies wholly on one side of its threshold, and is undecided when it straddles it; rows whose window
// was below the counter's resolution are left out and counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedFindings } from "../../src/analysis/findings.js";
import type { RunRecord } from "../../src/sweep/record.js";
import { ratioOfMeans } from "../../src/util/stats.js";
import { row } from "../sweep/support/rows.js";

const base = { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "alpaca", input_length: 16, output_length: 16 };

/** Rows at batch 1 and 2 with the given J per output token per repetition (16 tokens per row). */
function batchRows(b1: number[], b2: number[], extra: (batch: number, rep: number) => Record<string, unknown> = () => ({})): RunRecord[] {
  const out: RunRecord[] = [];
  for (const [batch, values] of [[1, b1], [2, b2]] as const) {
    values.forEach((jPerToken, rep) => out.push(row(`b${batch}-${rep}`, "completed", {
      ...base, batch_size: batch, repetition: rep, tokens_out: 16 * batch, energy_total_j_measured: jPerToken * 16 * batch, ...extra(batch, rep),
    })));
  }
  return out;
}

const batchFinding = (rows: RunRecord[]) => seedFindings(rows).find((f) => f.compared.startsWith("batch_size"))!;

test("a clear halving: the effect holds (interval below no change) and its size holds (within half of −45%)", () => {
  const f = batchFinding(batchRows([1.0, 1.02, 0.98], [0.55, 0.56, 0.54]));
  assert.ok(Math.abs(f.measured! - (0.55 / 1.0 - 1)) < 1e-9);
  const expected = ratioOfMeans([1.0, 1.02, 0.98], [0.55, 0.56, 0.54]);
  assert.ok(Math.abs(f.ci!.low - (expected.ci.low - 1)) < 1e-12 && Math.abs(f.ci!.high - (expected.ci.high - 1)) < 1e-12);
  assert.deepEqual([f.verdict, f.size, f.n], ["holds", "holds", [3, 3]]);
  assert.match(f.method, /t-interval/);
});

test("noise as large as the effect: the interval straddles no change, so the verdict is undecided", () => {
  const f = batchFinding(batchRows([1.0, 0.6, 1.4], [0.9, 0.5, 1.3]));
  assert.ok(f.measured! < 0, "the point estimate falls…");
  assert.ok(f.ci!.low < 0 && f.ci!.high > 0, "…but the interval crosses zero");
  assert.equal(f.verdict, "undecided");
});

test("the opposite effect, clearly: does not hold", () => {
  assert.equal(batchFinding(batchRows([1.0, 1.01, 0.99], [1.5, 1.52, 1.48])).verdict, "does not hold");
});

test("one repetition a side has no interval: undecided, never a verdict from a single number", () => {
  assert.equal(batchFinding(batchRows([1.0], [0.5])).verdict, "undecided");
});

test("rows below the counter's resolution are left out of the comparison and counted", () => {
  // batch 2's third repetition read a lone counter step (10× the others) in a window flagged below resolution
  const rows = batchRows([1.0, 1.02, 0.98], [0.55, 0.56, 5.5], (batch, rep) => ({ below_resolution: batch === 2 && rep === 2 }));
  const f = batchFinding(rows);
  assert.equal(f.belowResolution, 1);
  assert.deepEqual(f.n, [3, 2]);
  assert.equal(f.verdict, "holds");
  const kept = batchFinding(batchRows([1.0, 1.02, 0.98], [0.55, 0.56, 5.5]));
  assert.equal(kept.verdict, "undecided", "the same rows unflagged: the outlier makes it undecided");
});

test("GPU-only scope reads the GPU's energy alone", () => {
  const rows = batchRows([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], (batch) => ({ gpu_energy_j_measured: (batch === 1 ? 0.8 : 0.4) * 16 * batch }));
  const f = seedFindings(rows, { scope: "gpu" }).find((x) => x.compared.startsWith("batch_size"))!;
  assert.ok(Math.abs(f.measured! - -0.5) < 1e-12);
  assert.match(f.metric, /GPU only/);
});

test("a dimension no row fills (rows metered from another program have no dataset) still finds the base", () => {
  const rows = batchRows([1.0, 1.02, 0.98], [0.55, 0.56, 0.54], () => ({ dataset: null }));
  const f = batchFinding(rows);
  assert.ok(f, "the batch finding is there");
  assert.deepEqual(f.n, [3, 3]);
});
