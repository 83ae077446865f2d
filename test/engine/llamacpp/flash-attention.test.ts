// llama.cpp's flash attention as a setting: the engine opens its contexts with it and reports it, a sweep records it
// per row (flash_attention) and keys on it when it is on or off, wattlab serve's slots use it, onnxruntime refuses it,
// and a bad value is one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../../src/engine/load.js";
import { nlcFlashAttention } from "../../../src/engine/llamacpp/flash-attention.js";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { buildGguf } from "../../../src/models/gguf/index.js";
import { getPreset } from "../../../src/models/presets.js";
import { expandRuns } from "../../../src/sweep/expand.js";
import { parseSpec, SweepSpecError } from "../../../src/sweep/spec.js";
import { readResults } from "../../../src/sweep/store.js";
import { packageRoot } from "../../../src/version.js";
import { startServer } from "../../../src/serve/index.js";
import { getJson, promptIdsOf, stream, tinyModels } from "../../serve/client.js";

const PROMPT = [[1, 300, 301, 302, 303]];

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-flash-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("node-llama-cpp gets auto, true or false, and nothing when the setting is left out", () => {
  assert.deepEqual([nlcFlashAttention("auto"), nlcFlashAttention("on"), nlcFlashAttention("off"), nlcFlashAttention(undefined)], ["auto", true, false, undefined]);
});

test("a llama.cpp engine opened with flash attention on or off generates and reports the setting; the default is auto", async (t) => {
  const dir = tempDir(t);
  await buildGguf({ config: getPreset("tiny"), name: "tiny", dtype: "f16", outPath: join(dir, "tiny.gguf") });
  for (const setting of ["off", "on", undefined] as const) {
    const { engine } = await openLlamaCppEngine({ modelPath: dir, threads: 1, flashAttention: setting });
    try {
      assert.equal(engine.info.flashAttention, setting ?? "auto");
      const out = await engine.generate({ promptIds: PROMPT, maxNewTokens: 6, fixedLength: true });
      assert.equal(out.outputIds[0].length, 6, `flash attention ${setting ?? "default"}`);
    } finally {
      await engine.dispose();
    }
  }
});

test("onnxruntime refuses flash attention on or off in one line naming the setting and the fix", async () => {
  await assert.rejects(openEngine({ engine: "onnxruntime", modelDir: "/nonexistent", flashAttention: "off" }),
    /flash attention \(--flash-attention off\) is llama\.cpp's setting; onnxruntime has none: leave it out or use the llama\.cpp engine/);
});

test("a sweep's run keys change with flash attention on or off for llama.cpp runs only; auto keeps the earlier keys", () => {
  const keys = (json: Record<string, unknown>) => expandRuns(parseSpec({ base: { engine: "llama.cpp", model: "tiny" }, repetitions: 1, ...json })).map((r) => r.key);
  assert.deepEqual(keys({ flash_attention: "auto" }), keys({}));
  assert.notDeepEqual(keys({ flash_attention: "off" }), keys({}));
  assert.notDeepEqual(keys({ flash_attention: "off" }), keys({ flash_attention: "on" }));
  const ort = (json: Record<string, unknown>) => expandRuns(parseSpec({ base: { engine: "onnxruntime", model: "tiny" }, repetitions: 1, ...json })).map((r) => r.key);
  assert.deepEqual(ort({ flash_attention: "off" }), ort({}));
  assert.throws(() => parseSpec({ flash_attention: "sometimes" }), (e: unknown) => e instanceof SweepSpecError && /flash_attention/.test(String(e)) && /auto, on, off/.test(String(e)));
});

test("wattlab sweep --flash-attention off records flash_attention per row; a bad value is one line", async (t) => {
  const dir = tempDir(t);
  const model = join(dir, "tiny.gguf");
  await buildGguf({ config: getPreset("tiny"), name: "tiny", dtype: "f16", outPath: model });
  const wattlab = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 180_000 });
  const out = join(dir, "out");
  const common = ["sweep", "--model", model, "--engine", "llama.cpp", "--dataset", "synthetic", "--input-length", "8", "--output-length", "4",
    "--batch-size", "1", "--reps", "1", "--idle-seconds", "0", "--warmup", "0", "--min-window-s", "0", "--min-window-updates", "0", "--no-progress", "--out", out];
  const r = wattlab([...common, "--flash-attention", "off"]);
  assert.equal(r.status, 0, r.stderr);
  const rows = readResults(join(out, "metrics.jsonl")).rows.filter((x) => x.state === "completed");
  assert.ok(rows.length >= 1);
  assert.ok(rows.every((x) => x.flash_attention === "off"), JSON.stringify(rows.map((x) => x.flash_attention)));
  const bad = wattlab([...common, "--flash-attention", "maybe"]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--flash-attention must be .*auto.*on.*off.*got "maybe"/);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
});

test("wattlab serve's llama.cpp slots open with the setting: the model card names it and a streamed request completes", async (t) => {
  const models = await tinyModels(t);
  const { engine, tokenizer } = await openEngine({ engine: "llama.cpp", modelDir: models.gguf, threads: 1, flashAttention: "off" });
  t.after(() => engine.dispose());
  const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0, maxConcurrency: 2, batchWaitMs: 10 });
  t.after(() => server.close());
  const card = await getJson(`${server.url}/v1/models`);
  assert.equal(card.data[0].flash_attention, "off");
  const answer = await stream(`${server.url}/v1/completions`, { model: "tiny", prompt: promptIdsOf(8), max_tokens: 5, ignore_eos: true, stream_options: { include_usage: true } });
  assert.equal(answer.usage?.completion_tokens, 5);
});
