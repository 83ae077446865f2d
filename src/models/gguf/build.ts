// Builds a GGUF file that llama.cpp loads, from a preset (or HF config) and a seed: the same weights as the
// ONNX builder draws, in llama.cpp's layout, drawn tensor by tensor in worker threads.
import { mkdir } from "node:fs/promises";
import { cpus } from "node:os";
import { renameSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { preflightBuild, withPartialBuild, WriteProgress, type BuildNotice } from "../build-notice.js";
import { DEFAULT_SEED, elementCount, eosTokenIds, getPreset, headDim, parameterCount, weightSpecs, type ModelConfig } from "../presets.js";
import { GGUF_DTYPES, fileTypeName, type GgufDtype } from "./constants.js";
import { f32, str, u32, type GgufEntry } from "./metadata.js";
import { planTensors } from "./tensors.js";
import { writeGgufTensors } from "./parallel-writer.js";
import { vocabEntries } from "./vocab.js";

export interface BuildGgufOptions {
  /** A preset name from src/models/presets.ts, or a full config. */
  preset?: string;
  config?: ModelConfig;
  dtype: GgufDtype;
  outPath: string;
  seed?: number;
  /** A vocab .gguf or a folder with tokenizer.json; when absent, the ONNX builder's synthetic tokenizer. */
  tokenizerDir?: string;
  /** general.name; the preset name by default. */
  name?: string;
  /** Worker threads drawing weights; default: the cores, at most 8 (one thread below 16 M values). */
  workers?: number;
  /** What a big build prints before and while writing (and the free-disk check's stand-in in tests). */
  notice?: BuildNotice;
}

export interface BuildGgufResult {
  path: string;
  /** File size. Units: bytes. */
  bytes: number;
  seconds: number;
  /** general.file_type as llama.cpp names it, e.g. "Q4_0". */
  fileType: string;
  /** Matrices written as F16 because their rows are not whole quantization blocks. */
  fallbacks: string[];
}

/** Architecture hyper-parameters under the `<arch>.` prefix llama.cpp reads. */
export function modelEntries(config: ModelConfig, fileType: number, name: string): GgufEntry[] {
  const a = config.model_type;
  const d = headDim(config);
  const entries: GgufEntry[] = [
    str("general.architecture", a),
    str("general.name", name),
    u32("general.file_type", fileType),
    u32(`${a}.context_length`, config.max_position_embeddings),
    u32(`${a}.embedding_length`, config.hidden_size),
    u32(`${a}.block_count`, config.num_hidden_layers),
    u32(`${a}.feed_forward_length`, config.intermediate_size),
    u32(`${a}.rope.dimension_count`, d),
    u32(`${a}.attention.head_count`, config.num_attention_heads),
    u32(`${a}.attention.head_count_kv`, config.num_key_value_heads),
    f32(`${a}.attention.layer_norm_rms_epsilon`, config.rms_norm_eps),
    f32(`${a}.rope.freq_base`, config.rope_theta),
    u32(`${a}.vocab_size`, config.vocab_size),
  ];
  if (d * config.num_attention_heads !== config.hidden_size) {
    entries.push(u32(`${a}.attention.key_length`, d), u32(`${a}.attention.value_length`, d));
  }
  return entries;
}

export async function buildGguf(options: BuildGgufOptions): Promise<BuildGgufResult> {
  const started = performance.now();
  if (!options.config && !options.preset) throw new Error("buildGguf: give a preset name or a config");
  const config = options.config ?? getPreset(options.preset!);
  const dtype = GGUF_DTYPES[options.dtype];
  if (!dtype) throw new Error(`buildGguf: dtype "${options.dtype}" is not supported. Should be one of: ${Object.keys(GGUF_DTYPES).join(", ")}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const metadata = [
    ...modelEntries(config, dtype.fileType, options.name ?? options.preset ?? "wattlab"),
    ...vocabEntries({
      vocabSize: config.vocab_size, bosTokenId: config.bos_token_id, eosTokenId: eosTokenIds(config)[0],
      architecture: config.model_type, source: options.tokenizerDir,
      padTokenId: config.pad_token_id, modelMaxLength: config.max_position_embeddings,
    }),
  ];
  const plan = planTensors(config, weightSpecs(config), dtype.tensorType);
  const values = plan.tensors.reduce((sum, t) => sum + elementCount(t.source), 0);
  const workers = options.workers ?? (values < 1 << 24 ? 1 : Math.min(8, cpus().length));
  await mkdir(dirname(options.outPath), { recursive: true });
  const what = `${options.name ?? options.preset ?? config.model_type} ${fileTypeName(dtype.fileType)} (GGUF, ${(parameterCount(config) / 1e9).toFixed(2)}B parameters)`;
  let progress: WriteProgress | null = null;
  // written beside the target and renamed into place: an interrupted build never leaves a torn .gguf under its name
  const { bytes } = await withPartialBuild(options.outPath, async (partial) => {
    const written = await writeGgufTensors(partial, metadata, plan.tensors, seed, workers, {
      beforeWrite: (total) => {
        preflightBuild(what, total, resolve(options.outPath), options.notice);
        progress = new WriteProgress(`writing ${basename(options.outPath)}`, total, options.notice);
      },
      onProgress: (fraction) => progress?.update(fraction),
    });
    renameSync(partial, options.outPath);
    return written;
  });
  return {
    path: options.outPath, bytes, seconds: (performance.now() - started) / 1000,
    fileType: fileTypeName(dtype.fileType), fallbacks: plan.fallbacks,
  };
}
