import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweepOnGpus } from "../../src/sweep/gpus.js";
import { expandRuns, parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
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
