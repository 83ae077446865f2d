// Builds a runnable model folder from a preset or config: model.onnx + model.onnx.data (seeded weights at the
// true shapes), config.json, genai_config.json, tokenizer files and wattlab-manifest.json.
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { basename, join, resolve } from "node:path";
import { preflightBuild, removeStalePartials, withPartialBuild, WriteProgress, type BuildNotice } from "./build-notice.js";
import { GraphBuilder } from "./onnx/graph.js";
import { genaiConfig } from "./onnx/genai-config.js";
import { buildLlamaFusedGraph, checkFusedConfig } from "./onnx/llama-fused.js";
import { buildLlamaGraph } from "./onnx/llama-graph.js";
import type { LogitsForm } from "./onnx/llama-io.js";
import { encodeModel } from "../formats/onnx-proto.js";
import type { FloatForm } from "./onnx/weight-jobs.js";

export type { FloatForm };
import { WeightPlan, type LinearForm } from "./onnx/weight-plan.js";
import { writeWeights } from "./onnx/weight-writer.js";
import { DEFAULT_SEED, getPreset, parameterCount, type ModelConfig } from "./presets.js";
import { synthesizeTokenizer } from "./tokenizer-synth.js";
import { wattlabVersion } from "../version.js";

export type ModelDtype = "fp32" | "fp16" | "int8" | "int4";
/**
 * "portable": standard ONNX ops only (any execution provider). "fused": onnxruntime contrib ops
 * (GroupQueryAttention, SkipSimplifiedLayerNormalization, packed Q/K/V) as onnxruntime-genai builds them;
 * needs a head size that is a multiple of 16.
 */
export type GraphForm = "portable" | "fused";
export type { LogitsForm } from "./onnx/llama-io.js";
export const GRAPH_FORMS: readonly GraphForm[] = ["portable", "fused"];
export const LOGITS_FORMS: readonly LogitsForm[] = ["last", "all"];

export interface BuildOptions {
  /** A name from PRESETS; or give `config`. */
  preset?: string;
  config?: ModelConfig;
  dtype: ModelDtype;
  outDir: string;
  /** Folder with tokenizer.json + tokenizer_config.json to copy; a synthetic tokenizer otherwise. */
  tokenizerDir?: string;
  seed?: number;
  /** Default "portable". */
  graph?: GraphForm;
  /** Default "last": logits [batch, 1, vocab] of each row's last position; "all": [batch, seq, vocab]. */
  logits?: LogitsForm;
  /** Activations and KV cache type; fp16 for dtype fp16, fp32 otherwise unless given (int8/int4 only). */
  activations?: FloatForm;
  /** MatMulNBits block size for int8/int4 (default 32). */
  blockSize?: 16 | 32 | 64 | 128 | 256;
  /** Worker threads drawing weights; default: the cores, at most 8. */
  workers?: number;
  /** What a big build prints before and while writing (and the free-disk check's stand-in in tests). */
  notice?: BuildNotice;
  /** The folder named in messages when `outDir` is a temporary one (ensureModel builds beside its target). Default outDir. */
  displayDir?: string;
}

export interface ManifestFile { name: string; bytes: number; sha256: string }

export interface BuildManifest {
  /** The folder holding the model (not stored in the file: the folder may move). */
  dir: string;
  preset: string | null;
  modelType: ModelConfig["model_type"];
  parameterCount: number;
  dtype: ModelDtype;
  /** Weight storage in words, e.g. "fp16", "int4 MatMulNBits block 32 asymmetric". */
  weightForm: string;
  activations: FloatForm;
  /** Element type of `logits` (same as the activations). */
  logitsType: "float32" | "float16";
  seed: number;
  graph: GraphForm;
  /** Which positions the logits output covers. */
  logits: LogitsForm;
  opset: number;
  tokenizer: "synthetic" | "copied";
  wattlabVersion: string;
  builder: string;
  /** model.onnx + model.onnx.data. Units: bytes. */
  modelBytes: number;
  files: ManifestFile[];
  buildSeconds: number;
  createdAt: string;
}

/** Bumped when the graph or weight layout changes, so that cached folders are rebuilt. */
export const BUILDER_VERSION = "wattlab-onnx-builder/2";
const OPSET = 17;
const DATA_FILE = "model.onnx.data";
const MANIFEST_FILE = "wattlab-manifest.json";

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function linearForm(dtype: ModelDtype, blockSize: number): LinearForm {
  if (dtype === "int8") return { kind: "nbits", bits: 8, blockSize };
  if (dtype === "int4") return { kind: "nbits", bits: 4, blockSize };
  return { kind: "float" };
}

function resolveActivations(dtype: ModelDtype, activations?: FloatForm): FloatForm {
  if (dtype === "fp32" || dtype === "fp16") {
    if (activations && activations !== dtype) throw new Error(`activations must match dtype ${dtype}; leave it out`);
    return dtype;
  }
  return activations ?? "fp32";
}

/** A copied tokenizer must not produce ids past the embedding table (Gather would fail at run time). */
function checkTokenizerFits(path: string, vocabSize: number): void {
  const json = JSON.parse(readFileSync(path, "utf8")) as { model?: { vocab?: Record<string, number> | [string, number][] }; added_tokens?: { id: number }[] };
  const vocab = json.model?.vocab ?? {};
  const ids = Array.isArray(vocab) ? vocab.map((_, i) => i) : Object.values(vocab);
  let maxId = -1;
  for (const id of ids) if (id > maxId) maxId = id;
  for (const t of json.added_tokens ?? []) if (t.id > maxId) maxId = t.id;
  if (maxId >= vocabSize) {
    throw new Error(`tokenizer ${path} has ids up to ${maxId} but the model's vocab_size is ${vocabSize}; ` +
      "use a preset with a large enough vocabulary or leave out the tokenizer folder for a synthetic one");
  }
}

/** The tokenizer beside the model: the given folder's files copied (checked against the vocabulary), or a synthetic one. */
function writeTokenizer(outDir: string, config: ModelConfig, tokenizerDir: string | undefined): BuildManifest["tokenizer"] {
  if (tokenizerDir) {
    for (const name of ["tokenizer.json", "tokenizer_config.json"]) {
      const from = join(tokenizerDir, name);
      if (!existsSync(from)) throw new Error(`tokenizer folder ${tokenizerDir} has no ${name}; give a folder with both files`);
      copyFileSync(from, join(outDir, name));
    }
    checkTokenizerFits(join(outDir, "tokenizer.json"), config.vocab_size);
    const special = join(tokenizerDir, "special_tokens_map.json");
    if (existsSync(special)) copyFileSync(special, join(outDir, "special_tokens_map.json"));
    return "copied";
  }
  const files = synthesizeTokenizer({
    vocabSize: config.vocab_size, bosTokenId: config.bos_token_id, eosTokenId: config.eos_token_id instanceof Array
      ? config.eos_token_id[0] : config.eos_token_id, padTokenId: config.pad_token_id,
    modelMaxLength: config.max_position_embeddings,
  });
  writeFileSync(join(outDir, "tokenizer.json"), JSON.stringify(files.tokenizer));
  writeFileSync(join(outDir, "tokenizer_config.json"), JSON.stringify(files.tokenizerConfig, null, 2) + "\n");
  return "synthetic";
}

export async function buildModel(options: BuildOptions): Promise<BuildManifest> {
  const started = performance.now();
  const { dtype, outDir } = options;
  if (!["fp32", "fp16", "int8", "int4"].includes(dtype)) {
    throw new Error(`Unsupported dtype "${dtype}". Should be one of: fp32, fp16, int8, int4`);
  }
  const graphForm = options.graph ?? "portable";
  if (!GRAPH_FORMS.includes(graphForm)) throw new Error(`Unsupported graph "${graphForm}". Should be one of: ${GRAPH_FORMS.join(", ")}`);
  const logits = options.logits ?? "last";
  if (!LOGITS_FORMS.includes(logits)) throw new Error(`Unsupported logits "${logits}". Should be one of: ${LOGITS_FORMS.join(", ")}`);
  if (!options.config && !options.preset) throw new Error("buildModel needs a preset name or a config");
  const config = options.config ?? getPreset(options.preset!);
  if (graphForm === "fused") checkFusedConfig(config);
  const seed = options.seed ?? DEFAULT_SEED;
  const blockSize = options.blockSize ?? 32;
  const act = resolveActivations(dtype, options.activations);

  const g = new GraphBuilder("wattlab_" + (options.preset ?? config.model_type));
  const plan = new WeightPlan(g, DATA_FILE, act, linearForm(dtype, blockSize));
  if (graphForm === "fused") buildLlamaFusedGraph(g, config, act, plan, logits);
  else buildLlamaGraph(g, config, act, plan, logits);
  const workers = options.workers ?? Math.min(8, cpus().length);
  const shown = options.displayDir ?? outDir;
  const what = `${options.preset ?? config.model_type} ${dtype} (ONNX, ${(parameterCount(config) / 1e9).toFixed(2)}B parameters)`;
  preflightBuild(what, plan.size, resolve(shown), options.notice);
  mkdirSync(outDir, { recursive: true });
  const progress = new WriteProgress(`writing ${join(basename(shown), DATA_FILE)}`, plan.size, options.notice);
  await writeWeights(join(outDir, DATA_FILE), plan.size, plan.jobs, seed, workers, (fraction) => progress.update(fraction));
  const opsets = [{ domain: "", version: OPSET }];
  if (plan.usesContribOps || graphForm === "fused") opsets.push({ domain: "com.microsoft", version: 1 });
  const version = wattlabVersion();
  writeFileSync(join(outDir, "model.onnx"), encodeModel({
    irVersion: 8, opsets, producerName: "wattlab", producerVersion: version, graph: g.toGraph(),
    metadata: { preset: options.preset ?? "", seed: String(seed), dtype, graph: graphForm, logits },
  }));

  writeFileSync(join(outDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  writeFileSync(join(outDir, "genai_config.json"), JSON.stringify(genaiConfig(config, { graph: graphForm, logits }), null, 4) + "\n");
  const tokenizer = writeTokenizer(outDir, config, options.tokenizerDir);

  const files: ManifestFile[] = [];
  for (const name of ["model.onnx", DATA_FILE]) {
    const path = join(outDir, name);
    files.push({ name, bytes: statSync(path).size, sha256: await sha256File(path) });
  }
  const manifest: BuildManifest = {
    dir: resolve(outDir),
    preset: options.preset ?? null,
    modelType: config.model_type,
    parameterCount: parameterCount(config),
    dtype,
    weightForm: dtype === "fp32" || dtype === "fp16" ? dtype
      : `${dtype} MatMulNBits block ${blockSize} asymmetric (${act} activations)`,
    activations: act,
    logitsType: act === "fp16" ? "float16" : "float32",
    seed,
    graph: graphForm,
    logits,
    opset: OPSET,
    tokenizer,
    wattlabVersion: version,
    builder: BUILDER_VERSION,
    modelBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    files,
    buildSeconds: (performance.now() - started) / 1000,
    createdAt: new Date().toISOString(),
  };
  const { dir: _dir, ...stored } = manifest;
  writeFileSync(join(outDir, MANIFEST_FILE), JSON.stringify(stored, null, 2) + "\n");
  return manifest;
}

/** Reads a built folder's manifest; null when the folder holds no complete build. */
export function readManifest(dir: string): BuildManifest | null {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return null;
  const stored = JSON.parse(readFileSync(file, "utf8")) as Omit<BuildManifest, "dir">;
  if (!stored.files?.every((f) => existsSync(join(dir, f.name)) && statSync(join(dir, f.name)).size === f.bytes)) return null;
  return { ...stored, dir: resolve(dir) };
}

/**
 * The cache folder ensureModel uses: `<modelsDir>/<preset>-<dtype>` (seed, activations, graph and logits
 * appended when not default).
 */
export function modelDir(modelsDir: string, preset: string, dtype: ModelDtype,
  options: { seed?: number; graph?: GraphForm; logits?: LogitsForm; activations?: FloatForm } = {}): string {
  let name = `${preset}-${dtype}`;
  if (options.activations && options.activations !== resolveActivations(dtype)) name += `-${options.activations}act`;
  if ((options.seed ?? DEFAULT_SEED) !== DEFAULT_SEED) name += `-seed${options.seed}`;
  if ((options.graph ?? "portable") !== "portable") name += `-${options.graph}`;
  if ((options.logits ?? "last") !== "last") name += `-logits-${options.logits}`;
  return join(modelsDir, name);
}

/**
 * Builds a preset once and reuses it: returns the cached folder's manifest when it matches (same preset,
 * dtype, seed, graph, logits and builder version), else builds into a temporary folder and renames it into place.
 * A big build says what it writes and shows progress; a build interrupted (here or in an earlier process) leaves no
 * partial folder behind.
 */
export async function ensureModel(modelsDir: string, preset: string, dtype: ModelDtype,
  options: Omit<BuildOptions, "preset" | "config" | "dtype" | "outDir"> = {}): Promise<BuildManifest> {
  const dir = modelDir(modelsDir, preset, dtype, options);
  const seed = options.seed ?? DEFAULT_SEED;
  const activations = resolveActivations(dtype, options.activations);
  const matches = (m: BuildManifest | null): m is BuildManifest => m !== null && m.preset === preset && m.dtype === dtype
    && m.activations === activations
    && m.seed === seed && m.graph === (options.graph ?? "portable") && m.logits === (options.logits ?? "last")
    && m.builder === BUILDER_VERSION
    && m.tokenizer === (options.tokenizerDir ? "copied" : "synthetic");
  const cached = readManifest(dir);
  if (matches(cached)) return cached;
  // builds interrupted earlier (their marker names a process that is gone) leave nothing behind
  removeStalePartials(modelsDir, options.notice?.say);
  try {
    await withPartialBuild(dir, async (partial) => {
      await buildModel({ ...options, preset, dtype, outDir: partial, displayDir: dir });
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    });
  } catch (error) {
    // another process may have finished the same build first
    const other = readManifest(dir);
    if (matches(other)) return other;
    throw error;
  }
  const built = readManifest(dir);
  if (!built) throw new Error(`built ${dir} but its manifest is unreadable; delete the folder and retry`);
  return built;
}
