// Opens a GGUF model with llama.cpp (node-llama-cpp, the only module of wattlab that imports it) and
// returns an Engine plus the model's own tokenizer.
import { performance } from "node:perf_hooks";
import type { LlamaModel, Token } from "node-llama-cpp";
import { fileTypeName, ggmlTypeName } from "../../formats/gguf-types.js";
import type { EngineInfo, FlashAttention } from "../types.js";
import { loadLlama, localGguf, nodeLlamaCppVersion, resolveGgufPath, type LlamaCppBuild, type LlamaCppDevice } from "./backend.js";
import { LlamaCppEngine } from "./engine.js";

export { LlamaCppEngine } from "./engine.js";
export type { ContextShape, LlamaCppEngineSettings } from "./engine.js";
export { LlamaCppSlots } from "./slots.js";
export type { LlamaCppSlotsOptions } from "./slots.js";
export { binaryPackageName, isGgufUri, localGguf, resolveGgufPath } from "./backend.js";
export type { LlamaCppBuild, LlamaCppDevice } from "./backend.js";

export interface LlamaCppEngineOptions {
  /** A .gguf file, or a folder holding exactly one. */
  modelPath: string;
  /** "auto" takes the best GPU backend whose binary loads, else the CPU. Default "cpu". */
  device?: LlamaCppDevice;
  /** Minimum tokens per sequence to allocate up front; each request grows the context as it needs. */
  contextSize?: number;
  /** Tokens per llama_decode call; default: all prompt tokens of a request in one call. */
  batchSize?: number;
  /** CPU threads for evaluation; default the math cores (node-llama-cpp's own default, 4 or more, oversubscribes small machines). */
  threads?: number;
  /** Sequences to allocate up front; a request of more prompts recreates the context. */
  sequences?: number;
  /** "never" (default): prebuilt binaries only. "autoAttempt": compile from source where no binary fits. */
  build?: LlamaCppBuild;
  /** Stop ids instead of the GGUF's EOS (and end-of-turn) token, e.g. to match a model's generation_config. */
  eosTokenIds?: number[];
  /** Flash attention for every context (default auto: node-llama-cpp's, on where the backend supports it). */
  flashAttention?: FlashAttention;
}

export interface LlamaCppTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  /** Text of the ids, special tokens left out. */
  decode(ids: number[]): string;
  bosTokenId?: number;
  eosTokenIds: number[];
  vocabSize: number;
}

/** The file's quantization as llama.cpp names it: general.file_type, else the most common matrix type. */
function weightForm(model: LlamaModel): string {
  const fileType = model.fileInfo.metadata.general?.file_type;
  if (typeof fileType === "number") return fileTypeName(fileType);
  const dominant = model.fileInsights.dominantTensorType;
  return dominant === undefined ? "unknown" : ggmlTypeName(dominant);
}

/** EOS and, where the vocabulary has one, end-of-turn: the ids generation stops at. */
function endTokenIds(model: LlamaModel): number[] {
  const ids: number[] = [];
  for (const t of [model.tokens.eos, model.tokens.eot]) if (t != null && !ids.includes(t)) ids.push(t);
  return ids;
}

function tokenizerOf(model: LlamaModel, vocabSize: number, eosTokenIds: number[]): LlamaCppTokenizer {
  const bos = model.tokens.bos ?? undefined;
  return {
    encode(text, opts = {}) {
      const ids: number[] = model.tokenize(text, true);
      if (opts.addSpecialTokens ?? true) {
        if (bos !== undefined && model.tokens.shouldPrependBosToken && ids[0] !== bos) ids.unshift(bos);
        const eos = model.tokens.eos;
        if (eos != null && model.tokens.shouldAppendEosToken) ids.push(eos);
      }
      return ids;
    },
    decode: (ids) => model.detokenize(ids as Token[], false),
    bosTokenId: bos,
    eosTokenIds,
    vocabSize,
  };
}

/** The tokenizer of a GGUF without its weights (llama.cpp vocab_only), e.g. for vocab-only files. */
export async function openLlamaCppTokenizer(modelPath: string, options: { build?: LlamaCppBuild } = {}):
  Promise<{ tokenizer: LlamaCppTokenizer; dispose(): Promise<void> }> {
  const llama = await loadLlama("cpu", options.build ?? "never");
  const model = await llama.loadModel({ modelPath: resolveGgufPath(modelPath), vocabOnly: true });
  const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  const vocabSize = Array.isArray(tokens) ? tokens.length : 0;
  const eosTokenIds = endTokenIds(model);
  return { tokenizer: tokenizerOf(model, vocabSize, eosTokenIds), dispose: () => model.dispose() };
}

export async function openLlamaCppEngine(options: LlamaCppEngineOptions): Promise<{ engine: LlamaCppEngine; tokenizer: LlamaCppTokenizer }> {
  const modelPath = await localGguf(options.modelPath); // a hub URI downloads here, outside the load time
  const started = performance.now();
  const device = options.device ?? "cpu";
  const llama = await loadLlama(device, options.build ?? "never");
  const model = await llama.loadModel({ modelPath, gpuLayers: llama.gpu === false ? 0 : "max" });
  try {
    const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
    if (!Array.isArray(tokens) || tokens.length === 0) throw new Error(`${modelPath} has no tokenizer.ggml.tokens; llama.cpp needs the vocabulary in the file`);
    const eosTokenIds = options.eosTokenIds ? [...options.eosTokenIds] : endTokenIds(model);
    // what node-llama-cpp gives a context without a thread count on a GPU build too (maxThreads 0: the math cores);
    // its own CPU default (at least 4) oversubscribes small machines
    const threads = options.threads ?? llama.cpuMathCores;
    const info: EngineInfo = {
      engine: "llama.cpp",
      device: llama.gpu === false ? "cpu" : llama.gpu,
      weightForm: weightForm(model),
      backendVersion: `node-llama-cpp ${nodeLlamaCppVersion()} (llama.cpp ${llama.llamaCppRelease.release}, ${llama.buildType})`,
      contextLength: model.trainContextSize,
      vocabSize: tokens.length,
      eosTokenIds,
      loadS: 0,
      flashAttention: options.flashAttention ?? "auto",
      threads,
    };
    const engine = new LlamaCppEngine(info, model, {
      threads, batchSize: options.batchSize, minContextSize: options.contextSize, minSequences: options.sequences,
      flashAttention: options.flashAttention,
    });
    if (options.contextSize || options.sequences) {
      await engine.prepare({
        sequences: options.sequences ?? 1,
        contextSize: Math.min(options.contextSize ?? 256, info.contextLength),
        batchSize: options.batchSize ?? 512,
      });
    }
    info.loadS = (performance.now() - started) / 1000;
    return { engine, tokenizer: tokenizerOf(model, info.vocabSize, eosTokenIds) };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}
