// The main job's serving lines come from the serving store notebook 12 writes: one line per level, the mean over its
// repetitions with the 95% interval, estimated energy said so, nothing when the store is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { servingLines } from "../../src/cli/commands/main-serving.js";

test("one line per load level with means and intervals; none without a store", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-main-serving-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(servingLines(join(dir, "serving.jsonl")), []);
  const row = (key: string, concurrency: number, j: number, tps: number) => ({
    key, state: "completed", served_model: "tiny", load: "closed", concurrency, input_length: 16, output_length: 16,
    j_per_output_token_estimated: j, j_per_output_token_measured: null, output_tokens_per_s: tps, ttft_p99_s: 0.1, goodput_share: 1,
  });
  const rows = [row("a", 1, 0.02, 100), row("b", 1, 0.04, 120), row("c", 4, 0.01, 300), row("d", 4, 0.01, 300), { key: "e", state: "failed", concurrency: 16 }];
  writeFileSync(join(dir, "serving.jsonl"), rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const lines = servingLines(join(dir, "serving.jsonl"));
  assert.match(lines[1], /^serving \(notebook 12: tiny at wattlab serve, .*J\/token ESTIMATED \(CPU\)\):$/);
  assert.equal(lines.length, 4, "two completed levels; the failed one is left out");
  assert.match(lines[2], /^ {2}concurrency {3}1 in=16 out=16 {2}n 2 {2}110\.0 \[.*\] tokens\/s {2}0\.0300 \[.*\] J\/out token {2}TTFT p99 100 \[100, 100\] ms {2}goodput 100 \[100, 100\]%$/);
  assert.match(lines[3], /concurrency {3}4 in=16 out=16 {2}n 2 {2}300\.0 \[300\.0, 300\.0\] tokens\/s {2}0\.0100 \[0\.0100, 0\.0100\] J\/out token/);
});
