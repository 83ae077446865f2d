import { test } from "node:test";
import assert from "node:assert/strict";
import { change } from "../../src/analysis/results.js";
import type { RunRecord } from "../../src/sweep/record.js";

const row = (batch: number, energy: number) => ({ batch_size: batch, latency_total_s: energy } as unknown as RunRecord);

test("a change whose interval holds zero is within noise; a clear one is not", () => {
  const clear = change([row(1, 10), row(1, 10.2), row(1, 9.8), row(2, 5.1), row(2, 4.9), row(2, 5)], "batch_size", 1, 2, "latency_total_s");
  assert.ok(Math.abs(clear.change + 0.5) < 1e-9);
  assert.equal(clear.withinNoise, false);
  assert.match(clear.text, /^−50% \[−\d+%, −\d+%\]$/);
  const noisy = change([row(1, 10), row(1, 2), row(1, 18), row(2, 12), row(2, 3), row(2, 21)], "batch_size", 1, 2, "latency_total_s");
  assert.equal(noisy.withinNoise, true);
  assert.match(noisy.text, /^\+20% \[.*\], within noise$/);
  const single = change([row(1, 10), row(2, 5)], "batch_size", 1, 2, "latency_total_s");
  assert.equal(single.withinNoise, true, "one row a side tells nothing about noise");
  assert.match(single.text, /\[n < 2\]/);
});

test("rows below the counter's resolution are left out of a change, and counted in it", () => {
  const energyRow = (batch: number, jPerToken: number, below: boolean) =>
    ({ batch_size: batch, tokens_out: 10, energy_total_j_measured: jPerToken * 10, j_per_output_token_measured: jPerToken, below_resolution: below } as unknown as RunRecord);
  const rows = [energyRow(1, 1, false), energyRow(1, 1.1, false), energyRow(1, 0.9, false),
    energyRow(2, 0.5, false), energyRow(2, 0.55, false), energyRow(2, 0.45, false), energyRow(2, 50, true)];
  const c = change(rows, "batch_size", 1, 2, "j_per_output_token");
  assert.ok(Math.abs(c.change + 0.5) < 1e-9, `${c.change}: the flagged 50 J/token row stayed in`);
  assert.deepEqual([c.nA, c.nB, c.belowResolution], [3, 3, 1]);
  assert.match(c.text, /^−50% \[.*\]; 1 row below the counter's resolution left out$/);
});
