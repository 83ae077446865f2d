import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/sweep/run.js";
import { parseShard, ShardError } from "../../src/sweep/shard.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { mergeShards, readResults, ResultStore } from "../../src/sweep/store.js";
import { row } from "./support/rows.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

test("3 shards merge to the same key set as one unsharded run, each run in exactly one shard", async () => {
  const spec = parseSpec({ ...smallSpecJson(3), dimensions: { batch_size: [1, 2], output_length: [4, 6], quantization: ["fp32", "int8"] } });
  const whole = mkdtempSync(join(tmpdir(), "wattlab-whole-"));
  await runSweep(spec, standInDeps().deps, { outDir: whole, progress: false });
  const wholeKeys = readResults(join(whole, "metrics.jsonl")).rows.map((r) => r.key).sort();
  assert.equal(wholeKeys.length, 24);

  const sharded = mkdtempSync(join(tmpdir(), "wattlab-shards-"));
  const sizes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const summary = await runSweep(spec, standInDeps().deps, { outDir: sharded, shard: { index: i, count: 3 }, progress: false });
    sizes.push(summary.planned);
    assert.ok(existsSync(join(sharded, `metrics.shard-${i}-of-3.jsonl`)));
  }
  assert.deepEqual(sizes, [8, 8, 8], "round-robin on sorted keys balances shards");
  const files = [0, 1, 2].map((i) => join(sharded, `metrics.shard-${i}-of-3.jsonl`));
  const perShard = files.map((f) => readResults(f).rows.map((r) => r.key));
  assert.equal(new Set(perShard.flat()).size, 24, "no run in two shards");
  const summary = mergeShards(files, join(sharded, "metrics.jsonl"));
  assert.deepEqual({ rows: summary.rows, completed: summary.completed, superseded: summary.superseded }, { rows: 24, completed: 24, superseded: 0 });
  assert.deepEqual(readResults(join(sharded, "metrics.jsonl")).rows.map((r) => r.key).sort(), wholeKeys);

  // a shard rerun skips what the merged metrics.jsonl already holds
  const again = await runSweep(spec, standInDeps().deps, { outDir: sharded, shard: { index: 1, count: 3 }, progress: false, force: false });
  assert.equal(again.skipped, 8);
});

test("merging dedupes by key: a completed row beats a failed one in any file order", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-merge-"));
  const a = ResultStore.open(join(dir, "a.jsonl"));
  a.append(row("k1", "completed", { energy_total_j_measured: 1 }));
  a.append(row("k2", "failed"));
  a.close();
  const b = ResultStore.open(join(dir, "b.jsonl"));
  b.append(row("k1", "failed"));
  b.append(row("k2", "completed", { energy_total_j_measured: 2 }));
  b.append(row("k3", "failed"));
  b.close();
  const summary = mergeShards([join(dir, "a.jsonl"), join(dir, "b.jsonl")], join(dir, "merged.jsonl"));
  assert.deepEqual({ rows: summary.rows, completed: summary.completed, failed: summary.failed, superseded: summary.superseded }, { rows: 3, completed: 2, failed: 1, superseded: 2 });
  const merged = readResults(join(dir, "merged.jsonl")).rows;
  assert.deepEqual(merged.map((r) => `${r.key}:${r.state}`), ["k1:completed", "k2:completed", "k3:failed"]);
  assert.throws(() => mergeShards([join(dir, "missing.jsonl")], join(dir, "x.jsonl")), /missing\.jsonl does not exist/);
});

test("--shard parses i/n, 0-based, and says how when wrong", () => {
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  assert.throws(() => parseShard("4/4"), (e: Error) => e instanceof ShardError && /0-based \(0\/4 … 3\/4\)/.test(e.message));
  assert.throws(() => parseShard("1-4"), /write it as i\/n/);
  assert.throws(() => parseShard("0/0"), ShardError);
});
