// wattlab serve as a parent process starts it: a child on --port 0 prints one line with its URL, answers an OpenAI
// client's streaming completion with usage (energy included), and stops cleanly on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { packageRoot } from "../../src/version.js";
import { getJson, promptIdsOf, stream } from "./client.js";

const LINE = /^wattlab serve: listening on (http:\/\/127\.0\.0\.1:(\d+)) \(model tiny, engine onnxruntime, device cpu\)$/;

test("wattlab serve --model tiny --port 0: one line with the URL, a streamed completion with usage, exit 0 on SIGTERM", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-serve-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "serve", "--model", "tiny", "--port", "0"], {
    env: { ...process.env, WATTLAB_MODELS_DIR: join(dir, "models") }, stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => { if (child.exitCode === null) child.kill("SIGKILL"); });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    reader.on("line", (line) => { lines.push(line); if (lines.length === 1) resolve(line); });
    child.once("exit", (code) => reject(new Error(`wattlab serve exited with ${code} before listening:\n${stderr}`)));
  });
  const match = LINE.exec(first);
  assert.ok(match, `the first stdout line: ${JSON.stringify(first)}`);
  const url = match[1];
  assert.notEqual(Number(match[2]), 0);

  const models = await getJson(`${url}/v1/models`);
  assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["tiny"]);
  assert.equal(models.data[0].batching, "request");

  const maxTokens = 12;
  const prompt = promptIdsOf(20);
  const answer = await stream(`${url}/v1/completions`, {
    model: "tiny", prompt, max_tokens: maxTokens, ignore_eos: true, stream_options: { include_usage: true },
  });
  assert.ok(answer.done, "the stream ends with data: [DONE]");
  assert.equal(answer.tokenChunks, maxTokens, "one chunk per token");
  assert.equal(answer.finishReason, "length");
  assert.ok(answer.usage, "include_usage: the last chunk carries usage");
  assert.equal(answer.usage.completion_tokens, maxTokens);
  assert.equal(answer.usage.prompt_tokens, prompt.length);
  assert.equal(answer.usage.total_tokens, prompt.length + maxTokens);
  // the CPU is metered (RAPL where readable, else the estimate): some energy, and which kind it is
  assert.ok(["measured", "estimated"].includes(answer.usage.energy_source), answer.usage.energy_source);
  assert.ok(typeof answer.usage.energy_j === "number" && answer.usage.energy_j > 0, `energy_j ${answer.usage.energy_j}`);
  assert.equal(typeof answer.usage.energy_below_resolution, "boolean");

  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  assert.equal(await exited, 0, stderr);
  assert.deepEqual(lines, [first], "exactly one line on stdout");
});
