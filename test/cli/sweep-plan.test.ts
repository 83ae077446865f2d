// wattlab sweep --plan: the plan a sweep would follow now (configurations, repetitions stored and to measure, the
// datasets' prompts, the protocol), from the same planner, with nothing loaded, measured or written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

const wattlab = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 180_000 });
const SWEEP = ["sweep", "--preset", "tiny-batch", "--dataset", "synthetic", "--idle-seconds", "0", "--no-progress"];

/** Every file of a folder with its bytes and modification time. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).sort()
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => [f, `${statSync(join(dir, f)).mtimeMs}:${readFileSync(join(dir, f), "base64")}`]));
}

test("--plan counts each configuration's stored and pending repetitions, and leaves the folder as it was", (t) => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-plan-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const out = join(root, "out");
  const fresh = wattlab([...SWEEP, "--plan", "--out", out]);
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.match(fresh.stdout, /^sweep tiny-batch \(one-at-a-time\): 3 configurations, 6 runs in 1 engine group → .*metrics\.jsonl\n {2}already stored \(reused\): 0; to measure: 6\n {2}protocol: repeated windows/);
  assert.ok(!existsSync(out), "a plan of a new folder creates nothing");

  const measured = wattlab([...SWEEP, "--batch-size", "1,2", "--out", out]);
  assert.equal(measured.status, 0, measured.stderr);
  const before = snapshot(out);
  const plan = wattlab([...SWEEP, "--batch-size", "1,2,4", "--plan", "--out", out]);
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, /already stored \(reused\): 4; to measure: 2\n/);
  const rows = plan.stdout.split("\n").filter((l) => /^ {2}tiny /.test(l)).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((r) => [r[7], r[8], r[9]]), [["1", "2", "0"], ["2", "2", "0"], ["4", "0", "2"]], plan.stdout);
  assert.match(plan.stdout, /\n {2}time: unknown: no run to measure has a stored run of its configuration to go by\n/, "batch 4 was never measured here");
  assert.match(plan.stdout, /nothing was loaded, measured or written \(--plan\)\n$/);
  assert.deepEqual(snapshot(out), before, "no file written or touched");

  const forced = wattlab([...SWEEP, "--batch-size", "1,2,4", "--plan", "--force", "--out", out]);
  assert.match(forced.stdout, /already stored \(reused\): 0; to measure: 6\n/, "--force reuses nothing");
  // …but the stored runs still say how long their configurations take: batch 1 and 2 from their rows, batch 4 unknown
  const wall = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { started_at: string; ended_at: string })
    .map((r) => (Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000);
  const expectS = Math.round(2 * (wall[0]! + wall[1]!) / 2 + 2 * (wall[2]! + wall[3]!) / 2);
  const said = /\n {2}time: ≈ (?:(\d+) min )?(\d+) s for 4 runs to measure, at the mean wall time of their configuration's stored runs, plus model loads, warm-ups and the idle baseline; 2 have no stored run of their configuration to go by\n/.exec(forced.stdout);
  assert.ok(said, forced.stdout);
  assert.equal(Number(said[1] ?? 0) * 60 + Number(said[2]), expectS);
});

test("--plan names a missing dataset's fate; a model that cannot be had, and --plan for load levels, are one line each", (t) => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-plan-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const missing = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--preset", "tiny-batch", "--dataset", "gsm8k", "--plan", "--out", join(root, "g")],
    { encoding: "utf8", timeout: 180_000, env: { ...process.env, WATTLAB_DATA_DIR: join(root, "no-data"), HOME: root, HF_ENDPOINT: "http://127.0.0.1:9", WATTLAB_GSM8K: "" } });
  assert.equal(missing.status, 0, missing.stderr);
  assert.match(missing.stdout, /\n {2}dataset gsm8k: its runs will fail: .*gsm8k/);
  const typo = wattlab(["sweep", "--model", "lama-2-7b", "--out", join(root, "typo")]);
  assert.equal(typo.status, 2, "a model that cannot be had is refused before anything runs");
  assert.match(typo.stderr, /^wattlab sweep: model "lama-2-7b" is neither a preset \(tiny, .*\) nor an existing path; build one with `wattlab build-model --preset NAME` or pass a model folder \/ \.gguf file\n$/);
  assert.ok(!existsSync(join(root, "typo")), "and nothing is written");
  const serving = wattlab(["sweep", "--engine", "openai", "--endpoint", "http://127.0.0.1:9", "--model", "x", "--plan"]);
  assert.equal(serving.status, 2);
  assert.equal(serving.stderr, "wattlab sweep: --plan shows a model sweep's plan; --engine openai measures load levels (leave --plan out)\n");
});
