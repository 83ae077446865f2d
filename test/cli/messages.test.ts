// Small messages of the CLI as a user meets them: one prefix, no promise that does not apply, unknown names refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

function wattlab(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 120_000 });
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-messages-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("wattlab merge: a missing file is named once, after one prefix", (t) => {
  const dir = tempDir(t);
  const r = wattlab(["merge", join(dir, "metrics.shard-0-of-2.jsonl"), "--out", join(dir, "metrics.jsonl")]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `wattlab merge: ${join(dir, "metrics.shard-0-of-2.jsonl")} does not exist; pass the shard files a sweep wrote (metrics.shard-I-of-N.jsonl)\n`);
});

test("wattlab merge: a torn last line is reported as ignored, with no promise of a rerun", (t) => {
  const dir = tempDir(t);
  const shard = join(dir, "metrics.shard-0-of-1.jsonl");
  writeFileSync(shard, JSON.stringify({ key: "a", state: "completed" }) + "\n" + '{"key":"b","sta');
  const r = wattlab(["merge", shard, "--out", join(dir, "metrics.jsonl")]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `wattlab: ${shard}:2: the last line is torn (the file ends mid-row, e.g. a power cut or kill during a write); ignored\n`);
  assert.match(r.stdout, /^1 rows \(1 completed/);
});

test("wattlab run --help gives each default once", () => {
  const r = wattlab(["run", "--help"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.split("(default: results/notebooks)").length - 1, 1, r.stdout);
});

test("wattlab main --notebooks with a name that matches no notebook is an error naming the notebooks there, before anything runs", () => {
  const r = wattlab(["main", "--notebooks", "03,99"]);
  assert.equal(r.status, 2);
  const notebooks = readdirSync(join(packageRoot(), "notebooks")).filter((f) => f.endsWith(".ipynb")).map((f) => f.replace(/\.ipynb$/, "")).sort();
  assert.ok(notebooks.length > 0);
  assert.equal(r.stderr, `wattlab main: --notebooks 99 matches no notebook; the notebooks are ${notebooks.join(", ")} (give a name or its number prefix, e.g. 03)\n`);
  assert.equal(r.stdout, "", "nothing was built or run");
});

test("wattlab meter without an idle baseline says so instead of a figure above idle equal to the total", () => {
  const none = wattlab(["meter", "--", "sleep", "0.2"]);
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stderr, /^ {2}energy {6}\d+\.\d\d J total, no idle baseline \(--idle-seconds S measures one first\)$/m);
  assert.doesNotMatch(none.stderr, /above idle/);
  const measured = wattlab(["meter", "--idle-seconds", "0.5", "--", "sleep", "0.2"]);
  assert.equal(measured.status, 0, measured.stderr);
  assert.match(measured.stderr, /^ {2}energy {6}\d+\.\d\d J total, -?\d+\.\d\d J above idle$/m);
});
