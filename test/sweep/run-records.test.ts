import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JOULES_PER_KWH } from "../../src/meter/carbon.js";
import { parseCsv } from "../../src/sweep/csv.js";
import { WORLD_INTENSITY_G_PER_KWH } from "../../src/sweep/record-carbon.js";
import type { ProgressEvent } from "../../src/sweep/progress.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { OutOfMemoryError, smallSpecJson, standInDeps } from "./support/stand-ins.js";

const out = () => mkdtempSync(join(tmpdir(), "wattlab-sweep-"));

test("a sweep writes one completed row per run with energy per phase, units and sources", async () => {
  const dir = out();
  const spec = parseSpec(smallSpecJson(2));
  const wired = standInDeps({ meter: { gpuW: 100, cpuW: 20, dramW: 5, sources: { gpu: "counter", cpu: "estimated", dram: "none" }, idleW: 50 } });
  const events: ProgressEvent[] = [];
  const summary = await runSweep(spec, wired.deps, { outDir: dir, progress: false, onProgress: (e) => events.push(e) });
  assert.deepEqual({ planned: summary.planned, completed: summary.completed, failed: summary.failed }, { planned: 8, completed: 8, failed: 0 });
  assert.equal(wired.engines.length, 1, "one engine group → one load");
  assert.equal(wired.engines[0].generateCalls, 8 + 4, "8 recorded runs + 1 warm-up for each of the 4 shapes");
  assert.ok(wired.engines[0].disposed);
  assert.ok(wired.meters[0].closed);
  assert.equal(wired.meters[0].open.size, 0, "no window left open");

  const { rows } = readResults(join(dir, "metrics.jsonl"));
  assert.equal(rows.length, 8);
  const r = rows[0];
  assert.equal(r.state, "completed");
  assert.equal(r.tokens_in, (r.batch_size as number) * 24, "exact input length per prompt");
  assert.equal(r.tokens_out, (r.batch_size as number) * (r.output_length as number), "fixed length output");
  // the stepping clock makes every window 0.25 s: prefill J = 0.25 × (100 + 20) W
  assert.equal(r.prefill_energy_j_estimated, 30);
  assert.equal(r.decode_energy_j_estimated, 30);
  assert.equal(r.energy_total_j_estimated, 60);
  assert.equal(r.energy_total_j_measured, null, "a total that includes an estimate never lands in the measured column");
  assert.equal(r.gpu_energy_j_measured, 50);
  assert.equal(r.gpu_energy_j_estimated, null);
  assert.equal(r.cpu_energy_j_estimated, 10);
  assert.equal(r.cpu_energy_j_measured, null);
  assert.equal(r.dram_energy_j_measured, null, "not measured at all: both columns empty");
  assert.equal(r.dram_energy_j_estimated, null);
  assert.equal(r.energy_dynamic_j_estimated, 60 - 50 * 0.5, "idle baseline of 50 W removed");
  assert.equal(r.idle_power_w, 50);
  assert.equal(r.prefill_j_per_input_token_estimated, 30 / (r.tokens_in as number));
  assert.equal(r.decode_j_per_output_token_estimated, 30 / ((r.tokens_out as number) - (r.batch_size as number)));
  assert.equal(r.avg_power_w_estimated, 120);
  assert.equal(r.energy_source, "gpu:counter cpu:estimated dram:none");
  assert.ok(Math.abs((r.gco2eq_estimated as number) - (60 / JOULES_PER_KWH) * WORLD_INTENSITY_G_PER_KWH) < 1e-12);
  assert.ok(String(r.carbon_source).includes(`${WORLD_INTENSITY_G_PER_KWH} g/kWh`), String(r.carbon_source));
  assert.equal(r.peak_gpu_memory_mb, 1024);
  assert.equal(r.gpu_model, "Fake GPU");
  assert.equal(r.cpu_model, "Fake CPU");
  assert.equal(r.gpu_driver, "999.1");
  assert.equal(r.model_manifest_hash, "manifest-tiny-fp32");
  assert.equal(r.backend_version, "counting-engine 1");
  assert.equal(r.model_load_s, 0.125);
  assert.equal(typeof r.wattlab_version, "string");
  assert.ok((r.latency_total_s as number) > 0 && (r.peak_rss_mb as number) > 0);
  assert.ok(Date.parse(String(r.ended_at)) >= Date.parse(String(r.started_at)));

  // the CSV beside it has the same rows
  const csv = parseCsv(readFileSync(join(dir, "metrics.csv"), "utf8"));
  assert.equal(csv.length, 9);
  assert.ok(existsSync(join(dir, "spec.json")));
  assert.deepEqual(events.filter((e) => e.kind === "run-end").map((e) => (e as { done: number }).done), [1, 2, 3, 4, 5, 6, 7, 8]);

  // a rerun skips everything
  const again = await runSweep(spec, wired.deps, { outDir: dir, progress: false });
  assert.deepEqual({ skipped: again.skipped, completed: again.completed }, { skipped: 8, completed: 0 });
  assert.equal(readResults(join(dir, "metrics.jsonl")).rows.length, 8);
});

test("failed runs become rows with the error, the sweep goes on, reruns retry them unless skipFailed", async () => {
  const dir = out();
  const spec = parseSpec({ ...smallSpecJson(1), dimensions: { batch_size: [1, 3], quantization: ["fp32", "int4"] } });
  let oom = true;
  const wired = standInDeps({
    engine: { failWhen: (req) => (oom && req.promptIds.length === 3 ? new OutOfMemoryError("CUDA out of memory allocating 2 GiB") : null) },
    failOpen: (o) => (o.dtype === "int4" ? Object.assign(new Error("MatMulNBits is not supported by the webgpu EP"), { name: "ExecutionProviderError" }) : null),
  });
  const first = await runSweep(spec, wired.deps, { outDir: dir, progress: false, warn: () => {} });
  assert.deepEqual({ completed: first.completed, failed: first.failed }, { completed: 1, failed: 3 });
  const rows = readResults(join(dir, "metrics.jsonl")).rows;
  const failed = rows.filter((r) => r.state === "failed");
  assert.deepEqual(failed.map((r) => r.error_name).sort(), ["ExecutionProviderError", "ExecutionProviderError", "OutOfMemoryError"]);
  assert.match(String(failed.find((r) => r.error_name === "OutOfMemoryError")!.error_message), /out of memory/);
  assert.equal(failed[0].energy_total_j_measured, null);
  assert.equal(wired.meters[0].open.size, 0, "the window open when the engine threw was cancelled");
  assert.ok(wired.meters[0].cancelled.some((n) => n.endsWith(":prefill")));

  // skipFailed: nothing to do
  const skipping = await runSweep(spec, wired.deps, { outDir: dir, progress: false, skipFailed: true, warn: () => {} });
  assert.deepEqual({ skipped: skipping.skipped, completed: skipping.completed, failed: skipping.failed }, { skipped: 4, completed: 0, failed: 0 });

  // default rerun retries the failures; the OOM is gone now, the EP error is not
  oom = false;
  const retry = await runSweep(spec, wired.deps, { outDir: dir, progress: false, warn: () => {} });
  assert.deepEqual({ skipped: retry.skipped, completed: retry.completed, failed: retry.failed }, { skipped: 1, completed: 1, failed: 2 });
  const csv = parseCsv(readFileSync(join(dir, "metrics.csv"), "utf8"));
  const state = csv[0].indexOf("state");
  assert.deepEqual(csv.slice(1).map((r) => r[state]).sort(), ["completed", "completed", "failed", "failed"], "one CSV row per key");
});

test("force redoes completed runs; the newer rows supersede the old ones", async () => {
  const dir = out();
  const spec = parseSpec({ ...smallSpecJson(1), dimensions: {} });
  const wired = standInDeps();
  await runSweep(spec, wired.deps, { outDir: dir, progress: false });
  const forced = await runSweep(spec, wired.deps, { outDir: dir, progress: false, force: true });
  assert.equal(forced.completed, 1);
  assert.equal(readResults(join(dir, "metrics.jsonl")).rows.length, 2);
  assert.equal(parseCsv(readFileSync(join(dir, "metrics.csv"), "utf8")).length, 2, "header + one row per key");
});

test("a missing dataset named by the user fails its runs with the fix; no engine is loaded for them", async () => {
  const dir = out();
  const spec = parseSpec({ ...smallSpecJson(1), base: { ...(smallSpecJson(1).base as object), dataset: "gsm8k" } });
  const wired = standInDeps();
  wired.deps.datasets = { gsm8kPath: join(dir, "nope.jsonl"), download: false };
  const summary = await runSweep(spec, wired.deps, { outDir: dir, progress: false });
  assert.deepEqual({ completed: summary.completed, failed: summary.failed }, { completed: 0, failed: 4 });
  const rows = readResults(join(dir, "metrics.jsonl")).rows;
  assert.ok(rows.every((r) => r.error_name === "DatasetNotFoundError" && /gsm8k dataset not found: .*nope\.jsonl does not exist.*WATTLAB_GSM8K/.test(String(r.error_message))));
  assert.equal(wired.engines.length, 0, "no engine loaded for runs that cannot have prompts");
});

test("an abort signal stops between runs; the tracker saw every stored row; a rerun finishes the rest", async () => {
  const dir = out();
  const spec = parseSpec(smallSpecJson(2));
  const wired = standInDeps();
  const controller = new AbortController();
  const tracked: string[] = [];
  let finished = false;
  wired.deps.tracker = { log: (row) => { tracked.push(row.key); if (tracked.length === 3) controller.abort(); }, finish: () => { finished = true; } };
  const stopped = await runSweep(spec, wired.deps, { outDir: dir, progress: false, signal: controller.signal });
  assert.deepEqual({ aborted: stopped.aborted, completed: stopped.completed }, { aborted: true, completed: 3 });
  assert.ok(finished);
  assert.deepEqual(readResults(join(dir, "metrics.jsonl")).rows.map((r) => r.key), tracked);
  const rest = await runSweep(spec, standInDeps().deps, { outDir: dir, progress: false });
  assert.deepEqual({ aborted: rest.aborted, skipped: rest.skipped, completed: rest.completed }, { aborted: false, skipped: 3, completed: 5 });
});
