// The serving sweep as a user runs it: `wattlab serve --model tiny --port 0` in one process, `wattlab sweep --engine
// openai` against it in another; the rows land in serving.csv, the API key in no file, and flags that do not apply
// are refused in one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseCsv } from "../../src/sweep/csv.js";
import { packageRoot } from "../../src/version.js";

const bin = join(packageRoot(), "bin", "wattlab.js");

test("wattlab sweep --engine openai against wattlab serve: one row per level with latency, J/token and goodput; the key stored nowhere", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-serving-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, WATTLAB_MODELS_DIR: join(dir, "models"), WL_TEST_KEY: "sk-wattlab-secret-4711" };
  const server = spawn(process.execPath, [bin, "serve", "--model", "tiny", "--port", "0", "--meter", "none"], { env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => { if (server.exitCode === null) server.kill("SIGKILL"); });
  let serverErr = "";
  server.stderr.on("data", (d: Buffer) => { serverErr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", (line) => resolve(/(http:\/\/\S+)/.exec(line)?.[1] ?? ""));
    server.once("exit", (code) => reject(new Error(`wattlab serve exited with ${code}:\n${serverErr}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const out = join(dir, "out");
  const sweep = spawnSync(process.execPath, [bin, "sweep", "--engine", "openai", "--endpoint", url, "--model", "tiny", "--concurrency", "1,4",
    "--input-length", "16", "--output-length", "8", "--api-key-env", "WL_TEST_KEY", "--out", out, "--idle-seconds", "0", "--no-progress"], { env, encoding: "utf8" });
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.match(sweep.stdout, /2 levels completed, 0 failed, 0 already done/);
  const [head, ...rows] = parseCsv(readFileSync(join(out, "serving.csv"), "utf8"));
  const at = (row: string[], c: string) => row[head.indexOf(c)];
  assert.deepEqual(rows.map((r) => at(r, "concurrency")), ["1", "4"]);
  for (const row of rows) {
    for (const c of ["ttft_p50_s", "ttft_p99_s", "itl_p50_s", "itl_p99_s", "output_tokens_per_s", "goodput_share"]) assert.ok(Number(at(row, c)) >= 0 && at(row, c) !== "", `${c}=${at(row, c)}`);
    const j = Number(at(row, "j_per_output_token_measured") || at(row, "j_per_output_token_estimated"));
    assert.ok(j > 0, "J per output token over the steady state");
    assert.equal(at(row, "engine"), "openai");
  }
  for (const file of readdirSync(out)) assert.ok(!readFileSync(join(out, file), "utf8").includes("sk-wattlab-secret-4711"), `${file} holds the API key`);
  assert.ok(!sweep.stdout.includes("sk-wattlab") && !sweep.stderr.includes("sk-wattlab"));
  server.kill("SIGTERM");
});

test("flags that do not apply to --engine openai, and a missing endpoint, are refused in one line", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "sweep", "--engine", "openai", ...args], { encoding: "utf8" });
  const batch = run("--endpoint", "http://127.0.0.1:8080", "--model", "m", "--batch-size", "2");
  assert.equal(batch.status, 2);
  assert.match(batch.stderr.trim(), /^wattlab sweep: --batch-size does not apply to --engine openai .*leave it out$/);
  const noEndpoint = run("--model", "m");
  assert.equal(noEndpoint.status, 2);
  assert.match(noEndpoint.stderr, /--engine openai needs --endpoint URL/);
});
