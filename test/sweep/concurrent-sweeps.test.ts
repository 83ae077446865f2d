// Sweeps sharing one results folder never store a key twice: per-run claims (O_EXCL files in .claims/), taken over
// from processes that are gone. Real files, real child processes, and two real `wattlab sweep` processes at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { ensureModel } from "../../src/models/build.js";
import { expandRuns, parseSpec } from "../../src/sweep/spec.js";
import { readResults, RunClaims } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-claims-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const storeModule = pathToFileURL(join(packageRoot(), "dist", "src", "sweep", "store.js")).href;

/** A child process that claims `key` in `folder`, prints "claimed", then waits for a line on stdin (or exits at once). */
function claimInChild(folder: string, key: string, exitAtOnce: boolean) {
  const code = `const { RunClaims } = await import(${JSON.stringify(storeModule)});
    const claims = new RunClaims(${JSON.stringify(folder)});
    console.log(claims.claim(${JSON.stringify(key)}) ? "claimed" : "refused");
    ${exitAtOnce ? "process.exit(0);" : "process.stdin.once('data', () => process.exit(0));"}`;
  return spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["pipe", "pipe", "inherit"] });
}

function firstLine(child: ReturnType<typeof claimInChild>): Promise<string> {
  return new Promise((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
}

test("a claim is exclusive while its process lives, and taken over once that process is gone", async (t) => {
  const dir = tempDir(t);
  const holder = claimInChild(dir, "k1", false);
  assert.equal(await firstLine(holder), "claimed");
  const claims = new RunClaims(dir);
  assert.equal(claims.claim("k1"), false, "another live process holds k1");
  assert.equal(claims.heldBy("k1")?.pid, holder.pid);
  assert.equal(claims.claim("k2"), true);
  assert.equal(new RunClaims(dir).claim("k2"), false, "a second sweep of this process waits like any other");

  const exited = new Promise((resolve) => holder.on("close", resolve));
  holder.stdin!.write("go\n"); // exits without releasing: its claim is left behind, stale
  await exited;
  assert.ok(existsSync(join(dir, ".claims", "k1.claim")));
  assert.equal(claims.heldBy("k1"), null, "a dead process holds nothing");
  assert.equal(claims.claim("k1"), true, "a stale claim is taken over");
  assert.equal(JSON.parse(readFileSync(join(dir, ".claims", "k1.claim"), "utf8")).pid, process.pid);

  // a process that is gone right after claiming leaves a claim that the next claimer takes over
  const quick = claimInChild(dir, "k3", true);
  assert.equal(await firstLine(quick), "claimed");
  await new Promise((resolve) => quick.on("close", resolve));
  assert.equal(claims.claim("k3"), true);

  claims.releaseAll();
  assert.ok(!existsSync(join(dir, ".claims")), "releasing every claim leaves no claims folder");
});

test("two wattlab sweep processes started at once on one folder store every key once", async (t) => {
  const dir = tempDir(t);
  const models = join(dir, "models");
  await ensureModel(models, "tiny", "fp32"); // built once up front: the test is about the store
  const out = join(dir, "results");
  const json = {
    name: "concurrent", mode: "grid",
    base: { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "synthetic", input_length: 16, output_length: 4, batch_size: 1 },
    dimensions: { batch_size: [1, 2], output_length: [4, 8] }, repetitions: 2, warmup_runs: 1, prefill_energy: "window",
  };
  const specPath = join(dir, "spec.json");
  writeFileSync(specPath, JSON.stringify(json));
  const expected = expandRuns(parseSpec(json)).map((r) => r.key);
  assert.equal(new Set(expected).size, 8);

  const start = () => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--spec", specPath, "--out", out, "--idle-seconds", "0", "--no-progress"],
      { env: { ...process.env, WATTLAB_MODELS_DIR: models }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  const [a, b] = await Promise.all([start(), start()]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  t.diagnostic(`first: ${a.stdout.trim()} | second: ${b.stdout.trim()}`);

  const rows = readResults(join(out, "metrics.jsonl")).rows;
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.key, (counts.get(row.key) ?? 0) + 1);
  assert.deepEqual([...counts.entries()].filter(([, n]) => n > 1), [], "no key is stored twice");
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), "every key is stored");
  assert.ok(rows.every((r) => r.state === "completed"), rows.filter((r) => r.state !== "completed").map((r) => r.error_message).join("; "));
  // between them the two measured each run once: what one completed, the other counted as already done
  const completed = (s: string) => Number(/^(\d+) completed/m.exec(s)?.[1]);
  assert.equal(completed(a.stdout) + completed(b.stdout), expected.length);
  assert.ok(!existsSync(join(out, ".claims")) || readdirSync(join(out, ".claims")).length === 0, "no claim is left behind");

  // a third sweep afterwards finds everything done
  const again = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--spec", specPath, "--out", out, "--idle-seconds", "0", "--no-progress"],
    { env: { ...process.env, WATTLAB_MODELS_DIR: models }, encoding: "utf8", timeout: 120_000 });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^0 completed, 0 failed, 8 already done/m);
});
