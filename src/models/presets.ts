// Model architectures by name, in Hugging Face config.json field names, and the weight tensors they imply.
// The tensor list (names, HF shapes, initialisation) is shared by every format writer so that the same
// preset and seed give the same numbers in ONNX and GGUF.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { seededNormalChunks } from "../util/rng.js";

/** A Llama-family decoder (Llama, Qwen2) in HF config.json field names. */
export interface ModelConfig {
  architectures: string[];
  model_type: "llama" | "qwen2";
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** hidden_size / num_attention_heads unless given. */
  head_dim?: number;
  vocab_size: number;
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
  /** Bias on q/k/v projections (Qwen2 always has it). */
  attention_bias: boolean;
  hidden_act: "silu";
  bos_token_id: number;
  eos_token_id: number | number[];
  pad_token_id?: number;
  torch_dtype: "float32" | "float16" | "bfloat16";
}

/** Standard deviation of every seeded weight (HF initializer_range default). */
export const WEIGHT_STD = 0.02;
/** Seed used when none is given, by every format writer. */
export const DEFAULT_SEED = 0;

function llama(fields: Partial<ModelConfig> & Pick<ModelConfig,
  "hidden_size" | "intermediate_size" | "num_hidden_layers" | "num_attention_heads" | "num_key_value_heads" | "vocab_size">): ModelConfig {
  return {
    architectures: ["LlamaForCausalLM"], model_type: "llama", max_position_embeddings: 4096, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: false, attention_bias: false, hidden_act: "silu",
    bos_token_id: 1, eos_token_id: 2, torch_dtype: "float16", ...fields,
  };
}

function qwen2(fields: Partial<ModelConfig> & Pick<ModelConfig,
  "hidden_size" | "intermediate_size" | "num_hidden_layers" | "num_attention_heads" | "num_key_value_heads" | "vocab_size">): ModelConfig {
  return {
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", max_position_embeddings: 32768, rms_norm_eps: 1e-6,
    rope_theta: 1000000, tie_word_embeddings: false, attention_bias: true, hidden_act: "silu",
    bos_token_id: 151643, eos_token_id: 151643, torch_dtype: "bfloat16", ...fields,
  };
}

export const PRESETS: Readonly<Record<string, ModelConfig>> = {
  /** The embedded default: generates fast on CPU; vocab matches the synthetic tokenizer. */
  tiny: llama({
    hidden_size: 64, intermediate_size: 192, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2,
    vocab_size: 512, max_position_embeddings: 2048, torch_dtype: "float32",
  }),
  "tiny-qwen2": qwen2({
    hidden_size: 64, intermediate_size: 160, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2,
    vocab_size: 512, max_position_embeddings: 2048, bos_token_id: 1, eos_token_id: 2, torch_dtype: "float32",
  }),
  /** ~100M parameters for CPU benchmarks; Llama-2 vocabulary so the real tokenizer fits. */
  "llama-100m": llama({
    hidden_size: 768, intermediate_size: 2048, num_hidden_layers: 8, num_attention_heads: 12, num_key_value_heads: 4,
    vocab_size: 32000, max_position_embeddings: 2048,
  }),
  /** meta-llama/Llama-2-7b-hf shapes. */
  "llama-2-7b": llama({
    hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32,
    vocab_size: 32000, max_position_embeddings: 4096, rms_norm_eps: 1e-5, rope_theta: 10000,
  }),
  /** deepseek-ai/DeepSeek-R1-Distill-Qwen-7B shapes (BOS as the tokenizer prepends it, 151646). */
  "deepseek-r1-distill-qwen-7b": qwen2({
    hidden_size: 3584, intermediate_size: 18944, num_hidden_layers: 28, num_attention_heads: 28, num_key_value_heads: 4,
    vocab_size: 152064, max_position_embeddings: 131072, rms_norm_eps: 1e-6, rope_theta: 10000,
    bos_token_id: 151646, eos_token_id: 151643,
  }),
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function getPreset(name: string): ModelConfig {
  const config = PRESETS[name];
  if (!config) throw new Error(`Unknown model preset "${name}". Should be one of: ${presetNames().join(", ")}`);
  return { ...config };
}

/** Reads an HF config.json (a file, or a folder holding one) and checks that this architecture can build it. */
export function loadConfig(path: string): ModelConfig {
  const file = statSync(path).isDirectory() ? join(path, "config.json") : path;
  return normalizeConfig(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>, file);
}

/** Fills HF defaults and rejects what the graph does not implement. */
export function normalizeConfig(raw: Record<string, unknown>, source = "config"): ModelConfig {
  const type = raw.model_type;
  if (type !== "llama" && type !== "qwen2") {
    throw new Error(`${source}: model_type "${String(type)}" is not supported; use a llama or qwen2 config`);
  }
  if (raw.rope_scaling != null) throw new Error(`${source}: rope_scaling is not implemented; remove it or use a preset`);
  if (raw.hidden_act != null && raw.hidden_act !== "silu") throw new Error(`${source}: hidden_act must be "silu"`);
  const base = type === "qwen2"
    ? qwen2(raw as unknown as ModelConfig)
    : llama(raw as unknown as ModelConfig);
  const config: ModelConfig = { ...base, ...(raw as Partial<ModelConfig>) };
  if (type === "qwen2") config.attention_bias = true;
  if (raw.num_key_value_heads == null) config.num_key_value_heads = config.num_attention_heads; // HF's default (MHA)
  for (const key of ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "vocab_size"] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) throw new Error(`${source}: ${key} must be a positive integer`);
  }
  if (config.num_attention_heads % config.num_key_value_heads !== 0) {
    throw new Error(`${source}: num_attention_heads must be a multiple of num_key_value_heads`);
  }
  if (headDim(config) % 2 !== 0) throw new Error(`${source}: head_dim must be even for RoPE`);
  return config;
}

export function headDim(config: ModelConfig): number {
  return config.head_dim ?? config.hidden_size / config.num_attention_heads;
}

export function eosTokenIds(config: ModelConfig): number[] {
  return Array.isArray(config.eos_token_id) ? config.eos_token_id : [config.eos_token_id];
}

/** One weight tensor as in the HF state dict: shape [out, in] for linears, row-major. */
export interface WeightSpec {
  name: string;
  shape: number[];
  init: "normal" | "ones";
  /** Name of the random stream its values come from (differs from `name` only for a tied lm_head). */
  stream: string;
  role: "embedding" | "linear" | "bias" | "norm";
}

/** Every weight of the model in HF order and names (`model.layers.0.self_attn.q_proj.weight` …). */
export function weightSpecs(config: ModelConfig): WeightSpec[] {
  const h = config.hidden_size;
  const d = headDim(config);
  const q = config.num_attention_heads * d;
  const kv = config.num_key_value_heads * d;
  const specs: WeightSpec[] = [];
  const add = (name: string, shape: number[], role: WeightSpec["role"], stream = name) =>
    specs.push({ name, shape, role, stream, init: role === "norm" ? "ones" : "normal" });
  add("model.embed_tokens.weight", [config.vocab_size, h], "embedding");
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    add(p + "input_layernorm.weight", [h], "norm");
    add(p + "self_attn.q_proj.weight", [q, h], "linear");
    add(p + "self_attn.k_proj.weight", [kv, h], "linear");
    add(p + "self_attn.v_proj.weight", [kv, h], "linear");
    if (config.attention_bias) {
      add(p + "self_attn.q_proj.bias", [q], "bias");
      add(p + "self_attn.k_proj.bias", [kv], "bias");
      add(p + "self_attn.v_proj.bias", [kv], "bias");
    }
    add(p + "self_attn.o_proj.weight", [h, q], "linear");
    add(p + "post_attention_layernorm.weight", [h], "norm");
    add(p + "mlp.gate_proj.weight", [config.intermediate_size, h], "linear");
    add(p + "mlp.up_proj.weight", [config.intermediate_size, h], "linear");
    add(p + "mlp.down_proj.weight", [h, config.intermediate_size], "linear");
  }
  add("model.norm.weight", [h], "norm");
  add("lm_head.weight", [config.vocab_size, h], "linear", config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight");
  return specs;
}

/** Parameter count as HF reports it (a tied lm_head counted once). */
export function parameterCount(config: ModelConfig): number {
  return weightSpecs(config)
    .filter((s) => s.stream === s.name)
    .reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}

export function elementCount(spec: WeightSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** A tensor's values in row-major chunks; the concatenation does not depend on chunkElements (keep it even). */
export function* weightChunks(seed: number, spec: WeightSpec, chunkElements = 1 << 22): Generator<Float32Array> {
  const count = elementCount(spec);
  if (spec.init === "ones") {
    for (let done = 0; done < count; done += chunkElements) yield new Float32Array(Math.min(chunkElements, count - done)).fill(1);
    return;
  }
  yield* seededNormalChunks(seed, spec.stream, count, WEIGHT_STD, chunkElements);
}

/** A whole tensor at once; for small models and tests. */
export function weightValues(seed: number, spec: WeightSpec): Float32Array {
  const out = new Float32Array(elementCount(spec));
  let offset = 0;
  for (const chunk of weightChunks(seed, spec)) { out.set(chunk, offset); offset += chunk.length; }
  return out;
}
