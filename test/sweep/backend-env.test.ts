// llama.cpp reads switches of its own from the environment (GGML_CUDA_DISABLE_GRAPHS turns CUDA graphs off,
// GGML_VK_VISIBLE_DEVICES picks Vulkan devices): a row records those set for its run, so two runs that differ only
// there can be told apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { backendEnvironment, clusterMetadata } from "../../src/sweep/cluster.js";
import { expandRuns, withBackendEnv } from "../../src/sweep/expand.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";
import { tinyModels } from "../serve/client.js";

test("the GGML_* and LLAMA_* variables set, sorted as NAME=value; null when none (empty ones do not count)", () => {
  assert.equal(backendEnvironment({ PATH: "/bin", LLAMA_ARG_THREADS: "4", GGML_CUDA_DISABLE_GRAPHS: "1", GGML_EMPTY: "", CUDA_VISIBLE_DEVICES: "0" }),
    "GGML_CUDA_DISABLE_GRAPHS=1 LLAMA_ARG_THREADS=4");
  assert.equal(backendEnvironment({ PATH: "/bin", GGML_EMPTY: "" }), null);
  assert.equal(clusterMetadata({ GGML_VK_VISIBLE_DEVICES: "1" }).backend_env, "GGML_VK_VISIBLE_DEVICES=1");
});

test("llama.cpp runs' keys carry the switches when any is set; other engines' and unset ones keep their keys", () => {
  const keys = (engine: string, env: NodeJS.ProcessEnv) => expandRuns(withBackendEnv(parseSpec({ base: { engine, model: "tiny" }, repetitions: 1 }), env)).map((r) => r.key);
  assert.deepEqual(keys("llama.cpp", { PATH: "/bin" }), keys("llama.cpp", {}));
  assert.notDeepEqual(keys("llama.cpp", { GGML_CUDA_DISABLE_GRAPHS: "1" }), keys("llama.cpp", {}));
  assert.notDeepEqual(keys("llama.cpp", { GGML_CUDA_DISABLE_GRAPHS: "1" }), keys("llama.cpp", { GGML_VK_VISIBLE_DEVICES: "1" }));
  assert.deepEqual(keys("onnxruntime", { GGML_CUDA_DISABLE_GRAPHS: "1" }), keys("onnxruntime", {}));
});

test("a sweep's rows carry backend_env as the run saw it; a run with other switches into the same folder is measured, not skipped", async (t) => {
  const models = await tinyModels(t);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GGML|LLAMA)_/.test(k)));
  const sweep = (out: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "sweep", "--model", models.gguf,
    "--engine", "llama.cpp", "--dataset", "synthetic", "--input-length", "8", "--output-length", "4", "--batch-size", "1", "--reps", "1",
    "--idle-seconds", "0", "--warmup", "0", "--min-window-s", "0", "--min-window-updates", "0", "--threads", "1", "--no-progress", "--out", out],
  { encoding: "utf8", timeout: 180_000, env });
  const values = (out: string) => [...new Set(readResults(join(out, "metrics.jsonl")).rows.map((r) => r.backend_env))];
  const off = join(models.modelsDir, "graphs-off");
  const r = sweep(off, { ...clean, GGML_CUDA_DISABLE_GRAPHS: "1" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(values(off), ["GGML_CUDA_DISABLE_GRAPHS=1"]);
  const p = sweep(off, clean);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^1 completed, 0 failed, 0 already done/m, "the run without the switch is not taken for the one with it");
  assert.deepEqual(values(off).sort(), ["GGML_CUDA_DISABLE_GRAPHS=1", null]);
  const info = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "info"], { encoding: "utf8", timeout: 120_000, env: { ...clean, GGML_CUDA_DISABLE_GRAPHS: "1" } });
  assert.match(info.stdout, /\nllama\.cpp switches in the environment: GGML_CUDA_DISABLE_GRAPHS=1\n/, "wattlab info shows them too");
});
