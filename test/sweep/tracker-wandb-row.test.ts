import { test } from "node:test";
import assert from "node:assert/strict";
import { wandbRowData } from "../../src/sweep/wandb-tracker.js";
import { row } from "./support/rows.js";

test("a row goes to W&B as its key, state and numeric columns under the record's column names", () => {
  const completed = row("k1", "completed", {
    model: "tiny", batch_size: 4, input_length: 64, energy_total_j_measured: 12.5, energy_total_j_estimated: null,
    fixed_length: true, latency_total_s: 0.75, gco2eq_estimated: Number.NaN,
  });
  assert.deepEqual(wandbRowData(completed), { key: "k1", state: "completed", batch_size: 4, input_length: 64, energy_total_j_measured: 12.5, latency_total_s: 0.75 });
});

test("a failed row goes to W&B with its state and configuration numbers only", () => {
  const failed = row("k2", "failed", { error_name: "OutOfMemoryError", error_message: "CUDA out of memory", batch_size: 64, output_length: 128 });
  assert.deepEqual(wandbRowData(failed), { key: "k2", state: "failed", batch_size: 64, output_length: 128 });
});
