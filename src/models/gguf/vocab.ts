// The tokenizer.* metadata of a GGUF file, from one of three sources: another GGUF (copied as is), a
// Hugging Face tokenizer.json (converted as llama.cpp's convert_hf_to_gguf does), or, without either, the
// same synthetic byte-level BPE tokenizer the ONNX builder writes, so both formats of a preset tokenize alike.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { GgufValueType } from "./constants.js";
import { arr, bool, str, u32, type GgufEntry } from "./metadata.js";
import { synthesizeTokenizer } from "../tokenizer-synth.js";
import { readGguf } from "./reader.js";

/** llama_token_type values. */
export enum TokenType { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6 }

export interface VocabRequest {
  /** Tokens the model's embedding has; the vocabulary is padded with [PADn] tokens up to it. */
  vocabSize: number;
  bosTokenId: number;
  eosTokenId: number;
  architecture: "llama" | "qwen2";
  /** A .gguf file to copy tokenizer.* from, or a folder (or file) with a Hugging Face tokenizer.json. */
  source?: string;
  /** For the synthetic tokenizer: the config's pad id and context length, as the ONNX builder passes them. */
  padTokenId?: number;
  modelMaxLength?: number;
}

/** Tokens, types and (for SPM) scores before they become metadata entries. */
interface Vocab {
  model: "llama" | "gpt2";
  pre: string;
  tokens: string[];
  types: TokenType[];
  scores?: number[];
  merges?: string[];
  addBos: boolean;
}

export function vocabEntries(request: VocabRequest): GgufEntry[] {
  const { source } = request;
  if (source && source.endsWith(".gguf")) return copiedEntries(source, request);
  const vocab = source ? fromTokenizerFiles(source, request) : fromTokenizerJson(synthesizeTokenizer({
    vocabSize: request.vocabSize, bosTokenId: request.bosTokenId, eosTokenId: request.eosTokenId,
    padTokenId: request.padTokenId, modelMaxLength: request.modelMaxLength,
  }).tokenizer as unknown as TokenizerJson, { add_bos_token: true }, request);
  return toEntries(padVocab(vocab, request.vocabSize, source ?? "synthetic tokenizer"), request);
}

function toEntries(v: Vocab, request: VocabRequest): GgufEntry[] {
  const entries: GgufEntry[] = [
    str("tokenizer.ggml.model", v.model),
    str("tokenizer.ggml.pre", v.pre),
    arr("tokenizer.ggml.tokens", GgufValueType.STRING, v.tokens),
    arr("tokenizer.ggml.token_type", GgufValueType.INT32, v.types),
  ];
  if (v.scores) entries.push(arr("tokenizer.ggml.scores", GgufValueType.FLOAT32, v.scores));
  if (v.merges) entries.push(arr("tokenizer.ggml.merges", GgufValueType.STRING, v.merges));
  entries.push(u32("tokenizer.ggml.bos_token_id", request.bosTokenId), u32("tokenizer.ggml.eos_token_id", request.eosTokenId));
  if (v.model === "llama") entries.push(u32("tokenizer.ggml.unknown_token_id", 0));
  entries.push(bool("tokenizer.ggml.add_bos_token", v.addBos), bool("tokenizer.ggml.add_eos_token", false));
  return entries;
}

function padVocab(v: Vocab, vocabSize: number, source: string): Vocab {
  if (v.tokens.length > vocabSize) {
    throw new Error(`${source}: ${v.tokens.length} tokens do not fit the model's vocab_size ${vocabSize}; use a matching tokenizer`);
  }
  for (let id = v.tokens.length; id < vocabSize; id++) {
    v.tokens.push(`[PAD${id}]`);
    v.types.push(TokenType.UNUSED);
    v.scores?.push(0);
  }
  return v;
}

/** tokenizer.* entries of another GGUF, with bos/eos replaced by the model's. */
function copiedEntries(path: string, request: VocabRequest): GgufEntry[] {
  const entries = readGguf(path).metadata.filter((e) => e.key.startsWith("tokenizer."));
  const tokens = entries.find((e) => e.key === "tokenizer.ggml.tokens");
  if (!tokens || tokens.type !== GgufValueType.ARRAY) throw new Error(`${path} has no tokenizer.ggml.tokens; use a vocab GGUF`);
  if (tokens.value.length !== request.vocabSize) {
    throw new Error(`${path} has ${tokens.value.length} tokens but the model's vocab_size is ${request.vocabSize}`);
  }
  const replaced = new Set(["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"]);
  return [...entries.filter((e) => !replaced.has(e.key)),
    u32("tokenizer.ggml.bos_token_id", request.bosTokenId), u32("tokenizer.ggml.eos_token_id", request.eosTokenId)];
}

interface TokenizerConfigJson { add_bos_token?: boolean }

interface PreTokenizerJson {
  type?: string;
  use_regex?: boolean;
  pattern?: { Regex?: string };
  pretokenizers?: PreTokenizerJson[];
}

interface TokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges?: (string | [string, string])[]; byte_fallback?: boolean };
  added_tokens?: { id: number; content: string; special: boolean }[];
  pre_tokenizer?: PreTokenizerJson | null;
}

/** tokenizer.json (and tokenizer_config.json beside it) from a folder or the file's path. */
function fromTokenizerFiles(source: string, request: VocabRequest): Vocab {
  const isDir = statSync(source).isDirectory();
  const file = isDir ? join(source, "tokenizer.json") : source;
  if (!existsSync(file)) throw new Error(`no tokenizer.json in ${source}; pass a folder holding one or a vocab .gguf`);
  const configFile = join(isDir ? source : dirname(source), "tokenizer_config.json");
  const config = existsSync(configFile) ? JSON.parse(readFileSync(configFile, "utf8")) as TokenizerConfigJson : {};
  return fromTokenizerJson(JSON.parse(readFileSync(file, "utf8")) as TokenizerJson, config, request, file);
}

/**
 * A tokenizer.json as llama.cpp's converter reads it: byte-fallback BPE (Llama 2) becomes an SPM vocab
 * ("llama") scored by merge rank; byte-level BPE (Qwen2, the synthetic one) becomes "gpt2" with its merges.
 */
function fromTokenizerJson(json: TokenizerJson, config: TokenizerConfigJson, request: VocabRequest, file = "tokenizer.json"): Vocab {
  if (json.model.type !== "BPE") throw new Error(`${file}: tokenizer model ${json.model.type} is not supported (BPE only)`);
  const tokens: string[] = [];
  const types: TokenType[] = [];
  for (const [piece, id] of Object.entries(json.model.vocab)) { tokens[id] = piece; types[id] = TokenType.NORMAL; }
  for (const added of json.added_tokens ?? []) {
    tokens[added.id] = added.content;
    types[added.id] = added.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
  }
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id] === undefined) { tokens[id] = `[PAD${id}]`; types[id] = TokenType.UNUSED; }
  }
  const addBos = config.add_bos_token ?? request.architecture === "llama";

  const merges = (json.model.merges ?? []).map((m) => (Array.isArray(m) ? m.join(" ") : m));
  if (json.model.byte_fallback) {
    // llama.cpp's SPM tokenizer merges the adjacent pair whose joined piece scores highest; scoring each
    // piece by minus the rank of the merge that makes it gives the same order as HF's BPE merges.
    const mergeRank = new Map<string, number>();
    merges.forEach((m, rank) => {
      const piece = m.replace(" ", "");
      if (!mergeRank.has(piece)) mergeRank.set(piece, rank);
    });
    const byteToken = /^<0x[0-9A-F]{2}>$/;
    const scores = tokens.map((piece, id) => {
      if (piece === "<unk>") types[id] = TokenType.UNKNOWN;
      else if (types[id] === TokenType.NORMAL && byteToken.test(piece)) types[id] = TokenType.BYTE;
      return types[id] === TokenType.NORMAL ? -(mergeRank.get(piece) ?? 0) : 0;
    });
    return { model: "llama", pre: "default", tokens, types, scores, addBos };
  }
  return { model: "gpt2", pre: preTokenizerName(json, request), tokens, types, merges, addBos };
}

/** Qwen2's pre-tokenizer split (single digits, letters with one leading non-letter). */
const QWEN2_SPLIT = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** llama.cpp's name for the pre-tokenizer (tokenizer.ggml.pre), recognised from tokenizer.json. */
function preTokenizerName(json: TokenizerJson, request: VocabRequest): string {
  const pre = json.pre_tokenizer;
  const parts = pre?.type === "Sequence" ? pre.pretokenizers ?? [] : pre ? [pre] : [];
  if (parts.some((p) => p.type === "Split" && p.pattern?.Regex === QWEN2_SPLIT)) return "qwen2";
  if (parts.length === 1 && parts[0].type === "ByteLevel" && parts[0].use_regex !== false) return "gpt-2";
  return request.architecture === "qwen2" ? "qwen2" : "default";
}
