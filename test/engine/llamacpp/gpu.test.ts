// On a GPU machine only (WATTLAB_LLAMACPP_DEVICE=vulkan or cuda): the same tokens as on the CPU, batching
// into one decode per step, and per-step figures printed as diagnostics (no timing assertions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLlamaCppEngine, type LlamaCppDevice } from "../../../src/engine/llamacpp/index.js";
import { buildGguf } from "../../../src/models/gguf/build.js";
import type { GgufDtype } from "../../../src/models/gguf/constants.js";
import { sharedPath } from "../../support/shared.js";

const device = process.env.WATTLAB_LLAMACPP_DEVICE as LlamaCppDevice | undefined;
const skip = device ? false : "set WATTLAB_LLAMACPP_DEVICE=vulkan (or cuda) on a GPU machine";
const stories = sharedPath("fixtures/gguf/stories260K.gguf");
const GOLDEN_FIRST_IDS = [432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Builds a preset, warms it up, then prints prefill and median decode step for each batch size. */
async function figures(t: { diagnostic(message: string): void }, dir: string, preset: string, dtype: GgufDtype, batches: number[]): Promise<void> {
  const built = await buildGguf({ preset, dtype, outPath: join(dir, `${preset}-${dtype}.gguf`) });
  const { engine } = await openLlamaCppEngine({ modelPath: built.path, device });
  try {
    t.diagnostic(`${preset} ${dtype}: built ${(built.bytes / 2 ** 20).toFixed(0)} MiB in ${built.seconds.toFixed(1)} s; ${engine.info.backendVersion}; load ${engine.info.loadS.toFixed(2)} s`);
    const prompt = Array.from({ length: 128 }, (_, i) => 1 + ((i * 37) % 31000));
    await engine.generate({ promptIds: [prompt], maxNewTokens: 8, fixedLength: true }); // warm-up (shader compilation)
    for (const rows of batches) {
      const request = { promptIds: Array.from({ length: rows }, (_, r) => prompt.map((id) => (id + r) % 32000)), maxNewTokens: 64, fixedLength: true };
      await engine.generate(request);
      const result = await engine.generate(request);
      assert.equal(result.outputTokens, rows * 64);
      t.diagnostic(`${preset} ${dtype} batch ${rows}: prefill ${(result.prefillS * 1e3).toFixed(2)} ms, median decode step ${(median(result.decodeStepS) * 1e3).toFixed(3)} ms, ${(result.outputTokens / result.totalS).toFixed(0)} tok/s`);
    }
  } finally {
    await engine.dispose();
    rmSync(built.path, { force: true });
  }
}

test(`stories260K on ${device ?? "a GPU"}: golden greedy ids, batch of 3 equals singles`, { skip: skip || stories.skip }, async () => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, device });
  try {
    assert.equal(engine.info.device, device);
    const prompts = ["Once upon a time", "The little dog", "Lily and Tom went to the big park and"].map((t) => tokenizer.encode(t));
    const first = await engine.generate({ promptIds: [prompts[0]], maxNewTokens: 24, fixedLength: true });
    assert.deepEqual(first.outputIds[0].slice(0, GOLDEN_FIRST_IDS.length), GOLDEN_FIRST_IDS);
    const batch = await engine.generate({ promptIds: prompts, maxNewTokens: 20, fixedLength: true });
    for (let r = 0; r < prompts.length; r++) {
      const alone = await engine.generate({ promptIds: [prompts[r]], maxNewTokens: 20, fixedLength: true });
      assert.deepEqual(batch.outputIds[r], alone.outputIds[0], `row ${r}`);
    }
  } finally {
    await engine.dispose();
  }
});

test(`llama-100m on ${device ?? "a GPU"}: per-step figures for batch 1 and 8 (diagnostics)`, { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gpu-"));
  try {
    for (const dtype of ["f16", "q8_0", "q4_0"] as GgufDtype[]) await figures(t, dir, "llama-100m", dtype, [1, 8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`llama-2-7b shapes on ${device ?? "a GPU"}: build time and per-step figures (WATTLAB_LLAMACPP_7B=q4_0,f16…)`,
  { skip: skip || (process.env.WATTLAB_LLAMACPP_7B ? false : "set WATTLAB_LLAMACPP_7B to the dtypes to build (7B GGUFs take GBs and minutes)") },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-gpu-"));
    try {
      for (const dtype of process.env.WATTLAB_LLAMACPP_7B!.split(",") as GgufDtype[]) await figures(t, dir, "llama-2-7b", dtype, [1, 8]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
