import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweepOnGpus } from "../../src/sweep/gpus.js";
import { expandRuns, parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";
import { smallSpecJson } from "./support/stand-ins.js";

import { sweepChildCommand } from "./support/child.js";

test("one worker per GPU: each child sees only its GPU, shards merge into metrics.jsonl + csv", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gpus-"));
  const spec = parseSpec(smallSpecJson(2));
  const output: string[] = [];
  const result = await runSweepOnGpus(spec, [3, 5], {
    command: sweepChildCommand(), outDir: dir, onOutput: (gpu, line) => output.push(`${gpu}:${line}`),
  });
  assert.deepEqual(result.workers.map((w) => [w.gpu, w.shard, w.code]), [[3, "0/2", 0], [5, "1/2", 0]]);
  assert.deepEqual(result.failed, []);
  assert.equal(result.merge.completed, 8);
  assert.ok(existsSync(result.csvPath));
  const rows = readResults(join(dir, "metrics.jsonl")).rows;
  assert.deepEqual(new Set(rows.map((r) => r.key)), new Set(expandRuns(spec).map((r) => r.key)));
  // the fake meter names its GPU after CUDA_VISIBLE_DEVICES as the child saw it
  assert.deepEqual([...new Set(rows.map((r) => r.gpu_model))].sort(), ["Fake GPU 3", "Fake GPU 5"]);
  assert.ok(output.some((l) => l.startsWith("3:done")) && output.some((l) => l.startsWith("5:done")));
});

test("per-GPU workers refuse device webgpu before any worker starts: onnxruntime-node cannot pick a worker's WebGPU adapter", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gpus-webgpu-"));
  const json = smallSpecJson(1) as { dimensions: Record<string, unknown> };
  const spec = parseSpec({ ...json, dimensions: { ...json.dimensions, device: ["cpu", "webgpu"] } });
  const marker = join(dir, "a worker ran");
  await assert.rejects(
    runSweepOnGpus(spec, [0, 1], { command: [process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "")`], outDir: dir }),
    /^Error: --gpus cannot run device webgpu: onnxruntime-node cannot pick the GPU a WebGPU worker uses/);
  assert.deepEqual(readdirSync(dir), [], "no worker ran, no spec or shard file was written");

  // the CLI says it in one line and exits 2
  const r = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--preset", "tiny-batch", "--device", "webgpu", "--gpus", "0,1", "--out", dir],
    { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^wattlab sweep: --gpus cannot run device webgpu: .*run one sweep without --gpus/);
  assert.deepEqual(readdirSync(dir), []);
});

test("wattlab sweep --gpus ends with a carbon line for the merged rows, at the zone the workers were given", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gpus-carbon-"));
  const r = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--preset", "tiny-batch", "--reps", "1", "--gpus", "0,1",
    "--zone", "FRA", "--carbon-source", "yearly", "--out", dir, "--idle-seconds", "0", "--no-progress"], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  const merged = lines.findIndex((l) => /^merged \d+ rows/.test(l));
  assert.ok(merged >= 0, r.stdout);
  assert.match(lines[merged + 1] ?? "", /^carbon: [\d.e+-]+ gCO2eq per generation \(mean of \d+ merged rows\) at .*FRA/);
});
