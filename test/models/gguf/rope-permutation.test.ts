// q/k rows go from HF's rotate-half RoPE order to ggml's adjacent-pair order, in the right direction:
// checked by hand on indices, then end to end against llama.cpp on a trained model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { readGguf } from "../../../src/models/gguf/reader.js";
import { permuteRotaryRows } from "../../../src/models/gguf/tensors.js";
import { normalizeConfig } from "../../../src/models/presets.js";
import { sharedPath } from "../../support/shared.js";
import { hfWeightsFromGguf, referenceGreedy, unpermuteRotaryRows } from "./support/gguf-to-hf.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

test("permuteRotaryRows is numpy's reshape(heads, 2, d/2, cols).swapaxes(1, 2)", () => {
  const rows = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
  // head_dim 8: new row 2i+j comes from old row j*4+i
  assert.deepEqual(Array.from(permuteRotaryRows(rows(16), 2, 1)), [0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15]);
  // whole rows move: 2 columns
  assert.deepEqual(Array.from(permuteRotaryRows(Float32Array.of(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5), 1, 2)), [0, 0.5, 2, 2.5, 1, 1.5, 3, 3.5]);
  const x = Float32Array.from({ length: 48 * 3 }, (_, i) => i * 0.25);
  assert.deepEqual(unpermuteRotaryRows(permuteRotaryRows(x, 3, 3), 3, 3), x);
});

test("stories260K: the float64 HF reference on un-permuted weights gives llama.cpp's greedy tokens", { skip: stories.skip }, async () => {
  // stories260K: 5 layers, dim 64, 8 heads (head_dim 8, where the permutation is not its own inverse), 4 KV heads
  const config = normalizeConfig({
    model_type: "llama", hidden_size: 64, intermediate_size: 172, num_hidden_layers: 5, num_attention_heads: 8,
    num_key_value_heads: 4, vocab_size: 512, max_position_embeddings: 2048, rms_norm_eps: 1e-5, rope_theta: 10000,
  });
  const prompt = [1, 403, 407, 261, 378];
  const expected = referenceGreedy(config, hfWeightsFromGguf(readGguf(stories.path), config), prompt, 20);
  const { engine } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const result = await engine.generate({ promptIds: [prompt], maxNewTokens: 20, fixedLength: true });
    assert.deepEqual(result.outputIds[0], expected);
  } finally {
    await engine.dispose();
  }
});
