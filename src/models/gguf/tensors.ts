// HF weight names → GGUF tensor names and layouts, as llama.cpp's convert_hf_to_gguf.py maps them.
import { headDim, weightChunks, weightValues, type ModelConfig, type WeightSpec } from "../presets.js";
import { BLOCK_LAYOUT, GgmlType } from "./constants.js";

const LAYER_NAMES: Record<string, string> = {
  "input_layernorm.weight": "attn_norm.weight",
  "self_attn.q_proj.weight": "attn_q.weight",
  "self_attn.k_proj.weight": "attn_k.weight",
  "self_attn.v_proj.weight": "attn_v.weight",
  "self_attn.q_proj.bias": "attn_q.bias",
  "self_attn.k_proj.bias": "attn_k.bias",
  "self_attn.v_proj.bias": "attn_v.bias",
  "self_attn.o_proj.weight": "attn_output.weight",
  "post_attention_layernorm.weight": "ffn_norm.weight",
  "mlp.gate_proj.weight": "ffn_gate.weight",
  "mlp.up_proj.weight": "ffn_up.weight",
  "mlp.down_proj.weight": "ffn_down.weight",
};

export function ggufTensorName(hfName: string): string {
  if (hfName === "model.embed_tokens.weight") return "token_embd.weight";
  if (hfName === "model.norm.weight") return "output_norm.weight";
  if (hfName === "lm_head.weight") return "output.weight";
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(hfName);
  const suffix = m && LAYER_NAMES[m[2]];
  if (!m || !suffix) throw new Error(`no GGUF name for HF tensor ${hfName}`);
  return `blk.${m[1]}.${suffix}`;
}

/**
 * Rows of a q/k projection reordered from HF's rotate-half RoPE pairing (i, i + d/2) to ggml's
 * adjacent pairing (2i, 2i + 1): numpy's reshape(heads, 2, d/2, cols).swapaxes(1, 2). llama.cpp does this
 * for the llama architecture only (qwen2 runs NEOX RoPE on the HF layout).
 */
export function permuteRotaryRows(values: Float32Array, heads: number, cols: number): Float32Array {
  const rows = values.length / cols;
  const d = rows / heads;
  const half = d / 2;
  const out = new Float32Array(values.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * d + j * half + i) * cols;
        const to = (h * d + i * 2 + j) * cols;
        out.set(values.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}

/** One GGUF tensor to write: where its values come from and how they are stored (plain data: goes to workers). */
export interface PlannedTensor {
  name: string;
  ne: number[];
  type: GgmlType;
  source: WeightSpec;
  /** Heads of a llama q/k projection whose rows get permuteRotaryRows; null for every other tensor. */
  rotaryHeads: number | null;
}

export interface TensorPlan {
  tensors: PlannedTensor[];
  /** Weights stored in another type than asked because their rows are not whole blocks. */
  fallbacks: string[];
}

/**
 * The GGUF tensors of a model: matrices in `matrixType` (F16 where a row is not whole blocks, as
 * llama-quantize falls back), norms and biases in F32; a tied lm_head is left out (llama.cpp reuses token_embd).
 */
export function planTensors(config: ModelConfig, specs: WeightSpec[], matrixType: GgmlType): TensorPlan {
  const permute = config.model_type === "llama";
  const d = headDim(config);
  const fallbacks: string[] = [];
  const tensors: PlannedTensor[] = [];
  for (const spec of specs) {
    if (spec.name === "lm_head.weight" && config.tie_word_embeddings) continue;
    const name = ggufTensorName(spec.name);
    const ne = [...spec.shape].reverse();
    let type = GgmlType.F32;
    if (spec.shape.length === 2) {
      type = matrixType;
      if (ne[0] % BLOCK_LAYOUT[type]!.elements !== 0) { type = GgmlType.F16; fallbacks.push(name); }
    }
    let rotaryHeads: number | null = null;
    if (permute && /\.self_attn\.[qk]_proj\.(weight|bias)$/.test(spec.name)) {
      rotaryHeads = spec.name.includes(".q_proj.") ? config.num_attention_heads : config.num_key_value_heads;
      if (spec.shape[0] !== rotaryHeads * d) throw new Error(`${spec.name}: ${spec.shape[0]} rows is not ${rotaryHeads} heads × ${d}`);
    }
    tensors.push({ name, ne, type, source: spec, rotaryHeads });
  }
  return { tensors, fallbacks };
}

/** A planned tensor's values in GGUF order, in chunks (q/k projections whole: their rows move). */
export function* tensorValues(tensor: PlannedTensor, seed: number): Generator<Float32Array> {
  if (tensor.rotaryHeads === null) { yield* weightChunks(seed, tensor.source); return; }
  const cols = tensor.source.shape.length === 2 ? tensor.source.shape[1] : 1;
  yield permuteRotaryRows(weightValues(seed, tensor.source), tensor.rotaryHeads, cols);
}
