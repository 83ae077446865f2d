// Big builds say what they will do: what is built, its size and the free disk before writing; a refusal when the
// disk cannot hold it; progress while writing; no partial folder after an interruption (at once, or at the next
// start); a 7B fp32 model on the CPU only with an explicit yes. Real builds of the tiny preset, real child processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureModel, modelDir } from "../../src/models/build.js";
import { formatBytes, WriteProgress } from "../../src/models/build-notice.js";
import { parameterCount, PRESETS } from "../../src/models/presets.js";
import { resolveModel } from "../../src/lab/models.js";
import { packageRoot } from "../../src/version.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-build-notice-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const cli = join(packageRoot(), "bin", "wattlab.js");

test("a build the disk cannot hold is refused before anything is written, naming its size and the free space", async (t) => {
  const dir = tempDir(t);
  const lines: string[] = [];
  await assert.rejects(
    ensureModel(dir, "tiny", "fp32", { notice: { freeBytes: () => 1000, say: (l) => lines.push(l) } }),
    (error: Error) => {
      assert.match(error.message, /^tiny fp32 \(ONNX, 0\.00B parameters\): needs \d+(\.\d)? [kM]B but the disk holding .*tiny-fp32 has 1\.0 kB free; free some space or build elsewhere/);
      return true;
    });
  assert.deepEqual(readdirSync(dir), [], "no folder, partial folder or marker is left");
});

test("a big build says what it builds, its size and the free disk, then shows progress; the tiny model stays silent", async (t) => {
  const dir = tempDir(t);
  const quiet: string[] = [];
  await ensureModel(join(dir, "a"), "tiny", "fp32", { notice: { say: (l) => quiet.push(l) } });
  assert.deepEqual(quiet, [], "below the size that announces itself, nothing is printed");

  const lines: string[] = [];
  const free = 5e9;
  const built = await ensureModel(join(dir, "b"), "tiny", "fp32", {
    notice: { say: (l) => lines.push(l), freeBytes: () => free, announceBytes: 0, progressIntervalMs: 0 },
  });
  const data = built.files.find((f) => f.name === "model.onnx.data")!;
  assert.equal(lines[0], `building tiny fp32 (ONNX, 0.00B parameters): ${formatBytes(data.bytes)} into ${modelDir(join(dir, "b"), "tiny", "fp32")} (${formatBytes(free)} free)`);
  const progress = lines.slice(1);
  assert.ok(progress.length >= 2, lines.join("\n"));
  for (const line of progress) assert.match(line, /^ {2}writing tiny-fp32\/model\.onnx\.data: .* of .* \(\d+%\), .*B\/s, (ETA|done in) /);
  assert.match(progress.at(-1)!, /\(100%\), .*done in/);
});

test("progress lines carry bytes/s and an ETA computed from the elapsed time", () => {
  const lines: string[] = [];
  let now = 0;
  const p = new WriteProgress("writing x", 1e9, { say: (l) => lines.push(l), progressIntervalMs: 1000 }, () => now);
  now = 500; p.update(0.1); // within the interval: silent
  now = 2000; p.update(0.25);
  now = 2100; p.update(0.3); // within the interval again
  now = 8000; p.update(1);
  assert.deepEqual(lines, [
    "  writing x: 250 MB of 1.0 GB (25%), 125 MB/s, ETA 6 s",
    "  writing x: 1.0 GB of 1.0 GB (100%), 125 MB/s, done in 8 s",
  ]);
});

test("a build interrupted with SIGINT removes its partial folder and marker at once", async (t) => {
  const dir = tempDir(t);
  const out = join(dir, "llama-100m");
  // big enough to still be writing when the signal comes
  const child = spawn(process.execPath, [cli, "build-model", "--preset", "llama-100m", "--dtype", "fp32", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const partial = `${out}.partial-${child.pid}`;
  for (let i = 0; i < 600 && !existsSync(join(partial, "model.onnx.data")); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(partial), `the build never started writing ${partial}: ${stderr}`);
  assert.match(stderr, /^building llama-100m fp32 \(ONNX, 0\.\d\dB parameters\): \d+ MB into .*llama-100m \(.* free\)$/m);
  child.kill("SIGINT");
  const { signal } = await exited;
  assert.equal(signal, "SIGINT");
  assert.match(stderr, /interrupted; removed the unfinished build .*llama-100m\.partial-\d+/);
  assert.deepEqual(readdirSync(dir), [], "neither the partial folder, its marker nor the target is left");
});

test("a partial build left by a process that is gone is removed at the next start", async (t) => {
  const dir = tempDir(t);
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(gone.stdout);
  const target = modelDir(dir, "tiny", "fp16");
  const partial = `${target}.partial-${pid}`;
  mkdirSync(partial);
  writeFileSync(join(partial, "model.onnx.data"), Buffer.alloc(4096));
  writeFileSync(`${partial}.building`, JSON.stringify({ pid, hostname: hostname(), startedAt: "2026-01-01T00:00:00.000Z", target }));
  // a build of another process that is still alive (this one) is left alone
  const alive = `${modelDir(dir, "tiny", "int8")}.partial-${process.pid}`;
  mkdirSync(alive);
  writeFileSync(`${alive}.building`, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: "2026-01-01T00:00:00.000Z", target: "x" }));

  const lines: string[] = [];
  await ensureModel(dir, "tiny", "fp32", { notice: { say: (l) => lines.push(l) } });
  assert.ok(!existsSync(partial) && !existsSync(`${partial}.building`));
  assert.ok(existsSync(alive), "a live process's build is not touched");
  assert.deepEqual(lines, [`removed tiny-fp16.partial-${pid}, the unfinished build of tiny-fp16 left by process ${pid} (interrupted 2026-01-01T00:00:00.000Z)`]);
  rmSync(alive, { recursive: true });
  rmSync(`${alive}.building`);
});

test("a 7B preset as fp32 on the CPU needs an explicit yes; with it, the disk check still comes before any write", async (t) => {
  const dir = tempDir(t);
  const env: NodeJS.ProcessEnv = { ...process.env, WATTLAB_MODELS_DIR: join(dir, "models") };
  delete env.WATTLAB_YES;
  const size = formatBytes(parameterCount(PRESETS["llama-2-7b"]) * 4);
  for (const args of [
    ["generate", "--model", "llama-2-7b", "--prompt", "hi", "--max-new-tokens", "2"],
    ["sweep", "--model", "llama-2-7b", "--reps", "1", "--out", join(dir, "results")],
    ["build-model", "--preset", "llama-2-7b", "--dtype", "fp32", "--out", join(dir, "built")],
  ]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env, timeout: 60_000 });
    assert.notEqual(r.status, 0, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`writing ${size} of random weights.*pass --yes to go ahead`));
  }
  assert.ok(!existsSync(join(dir, "models")) && !existsSync(join(dir, "built")) && !existsSync(join(dir, "results", "metrics.jsonl")),
    "nothing was built or measured");
  // a GPU device or another dtype needs no yes (refused here only by the small disk stand-in)
  const small = { modelsDir: join(dir, "models"), notice: { freeBytes: () => 1e9, say: () => {} } };
  await assert.rejects(resolveModel("llama-2-7b", "int4", "onnxruntime", small), /needs .* GB but the disk holding .* has 1\.0 GB free/);
  await assert.rejects(resolveModel("llama-2-7b", "fp32", "onnxruntime", small), /pass --yes/);
  await assert.rejects(resolveModel("llama-2-7b", "fp32", "onnxruntime", { ...small, yes: true }), /llama-2-7b fp32 .*: needs 2\d\.\d GB but .* 1\.0 GB free/);
  assert.deepEqual(readdirSync(join(dir, "models")), [], "refused before writing anything");
});
