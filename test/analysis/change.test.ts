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
