// The CPU threads an engine evaluates with: llama.cpp reports the count its contexts really get (node-llama-cpp's
// own figure), onnxruntime the intra-op count it was given (none when it keeps its default), and a sweep records
// either per row as cpu_threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { LlamaContext } from "node-llama-cpp";
import { openEngine } from "../../src/engine/load.js";
import { expandRuns } from "../../src/sweep/expand.js";
import { parseSpec, SweepSpecError } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";
import { promptIdsOf, tinyModels } from "../serve/client.js";

const REQUEST = { promptIds: [promptIdsOf(6)], maxNewTokens: 3, fixedLength: true };

/** The context node-llama-cpp made for the engine's last request: its own record of the threads it evaluates with. */
const contextOf = (engine: unknown): LlamaContext => (engine as { context: LlamaContext }).context;

test("llama.cpp reports the threads its contexts are created with, given or by default", async (t) => {
  const models = await tinyModels(t);
  for (const threads of [1, undefined]) {
    const { engine } = await openEngine({ engine: "llama.cpp", modelDir: models.gguf, threads });
    try {
      await engine.generate(REQUEST);
      assert.equal(engine.info.threads, contextOf(engine).idealThreads, `threads ${threads ?? "default"}`);
      if (threads !== undefined) assert.equal(engine.info.threads, threads);
      else assert.ok(Number.isInteger(engine.info.threads) && engine.info.threads! >= 1, String(engine.info.threads));
    } finally {
      await engine.dispose();
    }
  }
});

test("onnxruntime reports the intra-op threads it was given, and none when it keeps its own default", async (t) => {
  const models = await tinyModels(t);
  for (const threads of [2, undefined]) {
    const { engine } = await openEngine({ engine: "onnxruntime", modelDir: models.onnx, threads });
    try {
      assert.equal(engine.info.threads, threads);
      assert.equal((await engine.generate(REQUEST)).outputIds[0].length, 3);
    } finally {
      await engine.dispose();
    }
  }
});

test("a spec's threads is part of every run's key when set, and left out keeps the earlier keys; a bad count is refused", () => {
  const keys = (json: Record<string, unknown>) => expandRuns(parseSpec({ base: { engine: "llama.cpp", model: "tiny" }, repetitions: 1, ...json })).map((r) => r.key);
  assert.notDeepEqual(keys({ threads: 1 }), keys({}));
  assert.notDeepEqual(keys({ threads: 1 }), keys({ threads: 2 }));
  assert.deepEqual(keys({ threads: 2 }), keys({ threads: 2 }));
  assert.throws(() => parseSpec({ threads: 0 }), (e: unknown) => e instanceof SweepSpecError && /threads=0: must be a whole number ≥ 1/.test(String(e)));
});

test("wattlab sweep --threads records cpu_threads per row for both engines; another count into the same folder is measured, not skipped", async (t) => {
  const models = await tinyModels(t);
  const out = join(models.modelsDir, "out");
  const wattlab = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 180_000 });
  for (const [engine, model] of [["llama.cpp", models.gguf], ["onnxruntime", models.onnx]]) {
    const r = wattlab(["sweep", "--model", model, "--engine", engine, "--dataset", "synthetic", "--input-length", "8", "--output-length", "4",
      "--batch-size", "1", "--reps", "1", "--idle-seconds", "0", "--warmup", "0", "--min-window-s", "0", "--min-window-updates", "0",
      "--threads", "1", "--no-progress", "--out", join(out, engine)]);
    assert.equal(r.status, 0, r.stderr);
    const rows = readResults(join(out, engine, "metrics.jsonl")).rows.filter((x) => x.state === "completed");
    assert.ok(rows.length >= 1, engine);
    assert.deepEqual([...new Set(rows.map((x) => x.cpu_threads))], [1], engine);
  }
  const again = wattlab(["sweep", "--model", models.gguf, "--engine", "llama.cpp", "--dataset", "synthetic", "--input-length", "8", "--output-length", "4",
    "--batch-size", "1", "--reps", "1", "--idle-seconds", "0", "--warmup", "0", "--min-window-s", "0", "--min-window-updates", "0",
    "--threads", "2", "--no-progress", "--out", join(out, "llama.cpp")]);
  assert.equal(again.status, 0, again.stderr);
  const rows = readResults(join(out, "llama.cpp", "metrics.jsonl")).rows.filter((x) => x.state === "completed");
  assert.deepEqual(rows.map((x) => x.cpu_threads).sort(), [1, 2]);
});
