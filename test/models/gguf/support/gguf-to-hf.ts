// Reads an F32/F16 llama GGUF back into HF-layout weights for src/models/reference: the inverse of the
// writer's name mapping and q/k row permutation, computed from src's own permuteRotaryRows so the tests
// check that function's direction against llama.cpp.
import { GgmlType } from "../../../../src/models/gguf/constants.js";
import { readGgufTensor, type GgufFile } from "../../../../src/models/gguf/reader.js";
import { decodeTensor } from "../../../../src/models/gguf/quantize.js";
import { ggufTensorName, permuteRotaryRows } from "../../../../src/models/gguf/tensors.js";
import { weightSpecs, type ModelConfig } from "../../../../src/models/presets.js";
import { referenceForward, type ReferenceWeights } from "../../../support/forward.js";

/** Rows of an HF matrix from its GGUF (ggml-RoPE) form. */
export function unpermuteRotaryRows(values: Float32Array, heads: number, cols: number): Float32Array {
  const rows = values.length / cols;
  const order = permuteRotaryRows(Float32Array.from({ length: rows }, (_, r) => r), heads, 1); // order[new] = old
  const out = new Float32Array(values.length);
  order.forEach((old, k) => out.set(values.subarray(k * cols, (k + 1) * cols), old * cols));
  return out;
}

export function hfWeightsFromGguf(file: GgufFile, config: ModelConfig): ReferenceWeights {
  const weights: ReferenceWeights = new Map();
  for (const spec of weightSpecs(config)) {
    if (spec.name === "lm_head.weight" && config.tie_word_embeddings) continue;
    const name = ggufTensorName(spec.name);
    const info = file.tensors.find((t) => t.name === name);
    if (!info) throw new Error(`${file.path}: no tensor ${name}`);
    if (info.type !== GgmlType.F32 && info.type !== GgmlType.F16) throw new Error(`${name}: only F32/F16 are read back`);
    let values = decodeTensor(info.type, readGgufTensor(file, name), info.ne.reduce((a, b) => a * b, 1));
    if (config.model_type === "llama" && /\.self_attn\.[qk]_proj\./.test(spec.name)) {
      const heads = spec.name.includes(".q_proj.") ? config.num_attention_heads : config.num_key_value_heads;
      values = unpermuteRotaryRows(values, heads, spec.shape.length === 2 ? spec.shape[1] : 1);
    }
    weights.set(spec.name, Float64Array.from(values));
  }
  return weights;
}

/** Greedy continuation by full recomputation with the float64 HF reference. */
export function referenceGreedy(config: ModelConfig, weights: ReferenceWeights, prompt: number[], newTokens: number): number[] {
  const ids = [...prompt];
  const vocab = config.vocab_size;
  for (let n = 0; n < newTokens; n++) {
    const logits = referenceForward(config, weights, { inputIds: [ids] });
    const last = logits.subarray((ids.length - 1) * vocab, ids.length * vocab);
    let best = 0;
    for (let i = 1; i < vocab; i++) if (last[i] > last[best]) best = i;
    ids.push(best);
  }
  return ids.slice(prompt.length);
}
