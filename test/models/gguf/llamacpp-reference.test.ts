// Built GGUF files compute the HF model: llama.cpp's greedy tokens on an F32 build equal the float64
// reference on the preset's seeded weights; every dtype loads and generates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { buildGguf } from "../../../src/models/gguf/build.js";
import type { GgufDtype } from "../../../src/models/gguf/constants.js";
import { getPreset, type ModelConfig } from "../../../src/models/presets.js";
import { referenceWeights } from "../../support/forward.js";
import { referenceGreedy } from "./support/gguf-to-hf.js";

const PROMPTS = [[1, 300, 301, 302, 303], [1, 17, 400, 99], [1, 450, 451, 452, 453, 454, 455]];
const NEW_TOKENS = 8;

async function withBuilt<T>(config: ModelConfig, dtype: GgufDtype, use: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const built = await buildGguf({ config, name: "test", dtype, outPath: join(dir, `m-${dtype}.gguf`) });
    return await use(built.path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const preset of ["tiny", "tiny-qwen2"]) {
  test(`${preset} F32 GGUF: llama.cpp greedy tokens equal the float64 HF reference`, async () => {
    const config = getPreset(preset);
    const weights = referenceWeights(config, 0);
    await withBuilt(config, "f32", async (path) => {
      const { engine } = await openLlamaCppEngine({ modelPath: path, threads: 1 });
      try {
        const result = await engine.generate({ promptIds: PROMPTS, maxNewTokens: NEW_TOKENS, fixedLength: true });
        PROMPTS.forEach((prompt, r) => assert.deepEqual(result.outputIds[r], referenceGreedy(config, weights, prompt, NEW_TOKENS), `prompt ${r}`));
      } finally {
        await engine.dispose();
      }
    });
  });
}

test("F16, Q8_0, Q4_0 builds (with an F16 fallback and tied embeddings) load and generate exactly N tokens", async () => {
  const configs = [getPreset("tiny"), { ...getPreset("tiny-qwen2"), intermediate_size: 48, tie_word_embeddings: true }];
  for (const config of configs) {
    for (const [dtype, form] of [["f16", "F16"], ["q8_0", "Q8_0"], ["q4_0", "Q4_0"]] as const) {
      await withBuilt(config, dtype, async (path) => {
        const { engine } = await openLlamaCppEngine({ modelPath: path, threads: 1 });
        try {
          assert.equal(engine.info.weightForm, form);
          const result = await engine.generate({ promptIds: PROMPTS.slice(0, 2), maxNewTokens: 5, fixedLength: true });
          assert.deepEqual(result.outputIds.map((r) => r.length), [5, 5], `${config.model_type} ${dtype}`);
          assert.ok(result.outputIds.flat().every((id) => id >= 0 && id < config.vocab_size));
        } finally {
          await engine.dispose();
        }
      });
    }
  }
});
