// A sweep in "repeated" mode measures each run as a window of back-to-back generations and one of back-to-back
// prefills (one generation's and one prefill's share of each); "window" mode takes one generation's hook windows
// and runs no loop; a throw in a loop fails the run with the error and leaves no window open.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { OutOfMemoryError, smallSpecJson, standInDeps } from "./support/stand-ins.js";

const out = () => mkdtempSync(join(tmpdir(), "wattlab-prefill-"));
// prefill_min_s 0: the count (3) alone decides, so the run is fast and the number of prefills exact
// (smallSpecJson asks for "window" so other tests' call counts hold; here each test says which mode)
const spec = (extra: Record<string, unknown>) => parseSpec({ ...smallSpecJson(1), dimensions: { batch_size: [1, 3] }, ...extra });

test("repeated mode: one window of back-to-back generations and one of back-to-back prefills per run, each ÷ its count", async () => {
  const dir = out();
  const wired = standInDeps({ meter: { gpuW: 100, cpuW: 20, sources: { gpu: "counter", cpu: "estimated", dram: "none" } } });
  const summary = await runSweep(spec({ prefill_energy: "repeated", prefill_min_s: 0 }), wired.deps, { outDir: dir, progress: false, idleSeconds: 0 });
  assert.equal(summary.completed, 2);
  assert.equal(wired.engines[0].generateCalls, 2 + 2 * (3 + 3), "2 warm-ups, then 3 generations and 3 prefills for each run");
  assert.equal(wired.meters[0].ended.filter((n) => n.endsWith(":prefill-repeated")).length, 2, "one repeated prefill window per run");
  assert.equal(wired.meters[0].ended.filter((n) => n.endsWith(":generation-repeated")).length, 2, "one repeated generation window per run");
  assert.equal(wired.meters[0].ended.length, 4, "no hook windows inside");
  assert.equal(wired.meters[0].open.size, 0);

  for (const r of readResults(join(dir, "metrics.jsonl")).rows) {
    assert.equal(r.measurement, "repeated");
    assert.equal(r.prefill_repeats, 3);
    assert.equal(r.generations, 3);
    // the stepping clock makes every window 0.25 s: each holds 0.25 × 120 W = 30 J for 3 passes
    assert.equal(r.prefill_repeated_window_s, 0.25);
    assert.equal(r.generation_window_s, 0.25);
    assert.equal(r.prefill_energy_repeated_j_estimated, 10, "CPU part estimated → the estimated column");
    assert.equal(r.prefill_energy_repeated_j_measured, null);
    assert.equal(r.prefill_j_per_input_token_repeated_estimated, 10 / (r.tokens_in as number));
    assert.equal(r.prefill_energy_j_estimated, 10, "the row's prefill figure is the repeated window's share");
    assert.equal(r.energy_total_j_estimated, 10, "one generation's share of its window");
    assert.equal(r.decode_energy_j_estimated, 0, "decode = generation − prefill");
    // the GPU counter's share alone (0.25 s × 100 W / 3 prefills) stays measured beside the estimated total
    assert.ok(Math.abs((r.prefill_gpu_j_per_input_token_repeated_measured as number) - 25 / 3 / (r.tokens_in as number)) < 1e-9);
    assert.ok(Math.abs((r.gpu_j_per_input_token_measured as number) - 25 / 3 / (r.tokens_in as number)) < 1e-9);
    assert.equal(r.prefill_gpu_j_per_input_token_repeated_estimated, null);
  }
});

test("a repeated window measured by counters alone lands in the measured columns", async () => {
  const wired = standInDeps({ meter: { gpuW: 300, sources: { gpu: "counter", cpu: "none", dram: "none" } } });
  const dir = out();
  await runSweep(spec({ prefill_energy: "repeated", prefill_min_s: 0 }), wired.deps, { outDir: dir, progress: false, idleSeconds: 0 });
  const [r] = readResults(join(dir, "metrics.jsonl")).rows;
  assert.equal(r.prefill_energy_repeated_j_measured, 25);
  assert.equal(r.prefill_energy_repeated_j_estimated, null);
  assert.equal(r.prefill_j_per_input_token_repeated_measured, 25 / (r.tokens_in as number));
  assert.equal(r.energy_total_j_measured, 25);
});

test("window mode runs no loop and leaves the repeated columns empty", async () => {
  const dir = out();
  const wired = standInDeps();
  await runSweep(spec({ prefill_energy: "window" }), wired.deps, { outDir: dir, progress: false, idleSeconds: 0 });
  assert.equal(wired.engines[0].generateCalls, 2 + 2);
  for (const r of readResults(join(dir, "metrics.jsonl")).rows) {
    assert.equal(r.state, "completed");
    assert.deepEqual([r.prefill_repeats, r.prefill_repeated_window_s, r.prefill_energy_repeated_j_measured, r.prefill_energy_repeated_j_estimated,
      r.prefill_j_per_input_token_repeated_measured, r.prefill_j_per_input_token_repeated_estimated], [null, null, null, null, null, null]);
    assert.equal(typeof r.prefill_energy_j_estimated, "number");
  }
});

test("a throw inside the loop cancels its window and records the run as failed with the error", async () => {
  const dir = out();
  let calls = 0;
  // the second prefill-only call of the batch-3 run fails; warm-ups and the recorded generates have more tokens
  const wired = standInDeps({ engine: { failWhen: (req) => (req.maxNewTokens === 1 && req.promptIds.length === 3 && ++calls === 2 ? new OutOfMemoryError("CUDA out of memory at batch 3") : null) } });
  const summary = await runSweep(spec({ prefill_energy: "repeated", prefill_min_s: 0 }), wired.deps, { outDir: dir, progress: false, idleSeconds: 0 });
  assert.deepEqual([summary.completed, summary.failed], [1, 1]);
  const rows = readResults(join(dir, "metrics.jsonl")).rows;
  const failed = rows.find((r) => r.state === "failed")!;
  assert.equal(failed.batch_size, 3);
  assert.equal(failed.error_name, "OutOfMemoryError");
  assert.equal(failed.error_message, "CUDA out of memory at batch 3");
  assert.equal(failed.prefill_energy_j_estimated, null, "a failed row carries no figures");
  const meter = wired.meters[0];
  assert.equal(meter.open.size, 0);
  assert.equal(meter.cancelled.filter((n) => n.endsWith(":prefill-repeated")).length, 1);
  assert.equal(rows.find((r) => r.state === "completed")!.prefill_repeats, 3, "the other run is unaffected");
});
