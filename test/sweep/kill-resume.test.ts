import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SeededRandom } from "../../src/util/rng.js";
import { expandRuns, parseSpec } from "../../src/sweep/spec.js";

import { sweepChildCommand } from "./support/child.js";

/** Runs the child sweep; kills it with SIGKILL `delayMs` after its `killAfter`-th progress line. */
function runChild(outDir: string, specPath: string, killAfter: number, delayMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const [node, ...args] = sweepChildCommand();
    // Enough real work per run (~10–50 ms) that the kill delay lands inside a run, not several runs later.
    const proc = spawn(node, [...args, outDir, specPath], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, WORK_PER_TOKEN: "20000" } });
    const lines: string[] = [];
    createInterface({ input: proc.stdout }).on("line", (line) => {
      lines.push(line);
      if (lines.length === killAfter) setTimeout(() => proc.kill("SIGKILL"), delayMs);
    });
    proc.on("error", reject);
    proc.on("close", (code, signal) => resolve({ code, signal, lines }));
  });
}

test("a sweep killed with SIGKILL at seeded random points and rerun ends with every run exactly once", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-kill-"));
  const json = {
    name: "kill", mode: "grid",
    base: { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "synthetic", input_length: 32, output_length: 4, batch_size: 1 },
    dimensions: { batch_size: [1, 2, 3], output_length: [4, 8, 12] }, repetitions: 2, warmup_runs: 1,
    prefill_energy: "window", // a 1 s repeated-prefill loop per run would make each attempt 18 s
  };
  const specPath = join(dir, "kill-spec.json");
  writeFileSync(specPath, JSON.stringify(json));
  const expected = new Set(expandRuns(parseSpec(json)).map((r) => r.key));
  assert.equal(expected.size, 18);

  const rng = new SeededRandom(20261128, "kill-resume");
  let kills = 0;
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 30, "the sweep never finished");
    const wantKill = kills < 5;
    const killAfter = wantKill ? 1 + (rng.nextUint32() % 6) : Infinity;
    const delayMs = rng.nextUint32() % 15;
    const result = await runChild(dir, specPath, killAfter, delayMs);
    t.diagnostic(`attempt ${attempt}: ${result.signal ?? "exit " + result.code} after ${result.lines.length} lines (${result.lines.at(-1) ?? "none"})`);
    if (result.signal === "SIGKILL") { kills++; continue; }
    assert.equal(result.code, 0, `child exited with ${result.code}: ${result.lines.join(" | ")}`);
    if (!wantKill) break;
    // it finished before the kill landed: keep going until the kill quota is used or nothing is left
    if (result.lines.at(-1)?.startsWith("done 0 0")) break;
  }
  assert.ok(kills >= 3, `only ${kills} kills landed`);

  const completed: string[] = [];
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    let row: { key: string; state: string };
    try { row = JSON.parse(line); } catch { continue; } // a torn row from a kill mid-write is allowed, and redone
    assert.equal(row.state, "completed");
    completed.push(row.key);
  }
  assert.equal(completed.length, new Set(completed).size, "no run recorded twice");
  assert.deepEqual(new Set(completed), expected, "no run lost");
});
