// Where a sweep's `model` value becomes files on disk: presets are built once into the models folder
// (ONNX for onnxruntime, GGUF for llama.cpp), anything else is taken as a path the user brought.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineName } from "../engine/types.js";
import { isHubIdShape, isModelUri } from "../engine/hub.js";
import { ensureModel, modelDir, readManifest, type FloatForm, type GraphForm, type ModelDtype } from "../models/build.js";
import { formatBytes, removeStalePartials, type BuildNotice } from "../models/build-notice.js";
import { headDim, parameterCount } from "../models/presets.js";
import { buildGguf } from "../models/gguf/index.js";
import { PRESETS } from "../models/presets.js";
import type { Quantization, SweepDevice } from "../sweep/dimensions.js";
import type { ResolvedModel } from "../sweep/run.js";
import { packageRoot } from "../version.js";

export interface ModelStoreOptions {
  /** Where built models are cached. Default: $WATTLAB_MODELS_DIR or <repo>/models. */
  modelsDir?: string;
  /**
   * Real tokenizers to build presets with, by preset name (a folder with tokenizer.json); a synthetic
   * byte-level tokenizer of the preset's vocab size otherwise. $WATTLAB_TOKENIZERS_DIR may hold
   * `llama-2-7b-hf/` and `deepseek-r1-distill-qwen/` (the layout of shared/fixtures/tokenizers).
   */
  tokenizerDirs?: Record<string, string>;
  seed?: number;
  /** Go ahead with a preset of a billion parameters or more as fp32 on the CPU (see cpuFp32Problem); also WATTLAB_YES=1. */
  yes?: boolean;
  /** What a big build prints (default stderr) and the free-disk check it uses. */
  notice?: BuildNotice;
}

export interface ResolveModelOptions extends ModelStoreOptions {
  /** Where the model will run: presets for GPUs get the fused ONNX graph. Default "cpu". */
  device?: SweepDevice;
  /** Overrides the graph form chosen by device (ONNX presets only). */
  graph?: GraphForm;
}

/** llama.cpp's native counterparts of the study's weight forms. */
export const GGUF_FORM: Record<Quantization, "f32" | "f16" | "q8_0" | "q4_0"> = { fp32: "f32", fp16: "f16", int8: "q8_0", int4: "q4_0" };

export function defaultModelsDir(): string {
  return resolve(process.env.WATTLAB_MODELS_DIR ?? join(packageRoot(), "models"));
}

function tokenizerFor(preset: string, options: ModelStoreOptions): string | undefined {
  const given = options.tokenizerDirs?.[preset];
  if (given) return given;
  const root = process.env.WATTLAB_TOKENIZERS_DIR;
  if (!root) return undefined;
  const byPreset: Record<string, string> = { "llama-2-7b": "llama-2-7b-hf", "deepseek-r1-distill-qwen-7b": "deepseek-r1-distill-qwen" };
  const dir = byPreset[preset] && join(root, byPreset[preset]);
  return dir && existsSync(join(dir, "tokenizer.json")) ? dir : undefined;
}

/**
 * The ONNX graph form a preset is built with for a device. Fused (onnxruntime contrib ops) on GPUs, where
 * it was faster in every case measured on the H200 under WebGPU (decode 1.4–2.6× for 7B shapes,
 * bench/notes/onnx-graph-forms.md); portable on CPU, where the two measured close. A head size that is
 * not a multiple of 16 cannot be fused.
 */
export function graphFormFor(preset: string, device: SweepDevice = "cpu"): GraphForm {
  if (device !== "webgpu" && device !== "cuda") return "portable";
  const config = PRESETS[preset];
  return config && headDim(config) % 16 === 0 ? "fused" : "portable";
}

/**
 * Activation (and KV cache) type of a preset's int8/int4 build for a device: fp16 on GPUs, where fp32
 * activations doubled the bytes each decode step moves through the KV cache and every MatMulNBits input
 * (the H200's first int4 run, 32.5 tok/s, was built that way); fp32 on the CPU, whose MatMulNBits kernels
 * take fp32. fp32/fp16 weights carry their own activation type.
 */
export function activationsFor(dtype: ModelDtype, device: SweepDevice = "cpu"): FloatForm | undefined {
  if (dtype !== "int8" && dtype !== "int4") return undefined;
  return device === "webgpu" || device === "cuda" ? "fp16" : "fp32";
}

/** The graph form recorded in a model folder's wattlab-manifest.json; null for other models. */
function manifestGraphForm(dir: string): string | null {
  const file = join(dir, "wattlab-manifest.json");
  try {
    if (!existsSync(file)) return null;
    const graph = (JSON.parse(readFileSync(file, "utf8")) as { graph?: unknown }).graph;
    return typeof graph === "string" ? graph : null;
  } catch {
    return null; // a folder the user brought: the row just leaves the column empty
  }
}

/** Whether `model` names a preset (built by wattlab with seeded weights) rather than a path or hub id. */
export function isPreset(model: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRESETS, model);
}

/**
 * The weight form to ask the engine for: a preset is built as `asked`, fp32 when left out (its documented default);
 * a folder or file the user brought runs as what it holds, so nothing is asked unless the user asked.
 */
export function dtypeFor(model: string, asked: Quantization | undefined): { build: Quantization; open: Quantization | undefined } {
  if (isPreset(model)) return { build: asked ?? "fp32", open: asked ?? "fp32" };
  return { build: asked ?? "fp32", open: asked };
}

/**
 * The engine for a model when none is asked for: llama.cpp for a .gguf file (or a folder holding only GGUF files),
 * onnxruntime otherwise. `because` says why, for output that reports the choice; null when the caller asked.
 */
export function chooseEngine(model: string, asked: EngineName | undefined): { engine: EngineName; because: string | null } {
  if (asked) return { engine: asked, because: null };
  if (/\.gguf$/i.test(model)) return { engine: "llama.cpp", because: `${model} is a GGUF file, llama.cpp's format` };
  if (!isPreset(model) && existsSync(model) && statSync(model).isDirectory()) {
    const files = readdirSync(model);
    const onnx = files.some((f) => f.endsWith(".onnx") || f === "onnx" || f === "genai_config.json");
    if (!onnx && files.some((f) => f.endsWith(".gguf"))) return { engine: "llama.cpp", because: `${model} holds a GGUF file and no ONNX model` };
  }
  return { engine: "onnxruntime", because: isPreset(model) ? "presets run on onnxruntime unless llama.cpp is asked for" : "the model is not a GGUF file" };
}

/** `hf:owner/repo/file.gguf`, an https URL, or a hub id `owner/name` (not an existing path). */
export function isHubReference(model: string): boolean {
  return isModelUri(model) || isHubIdShape(model);
}

/**
 * The manifest hash resolveModel would report for an ONNX preset, read from its cached build without building;
 * undefined when it is not built yet or no manifest applies (GGUF files, folders the user brought).
 */
export function builtManifestHash(model: string, quantization: Quantization, engine: EngineName, options: ResolveModelOptions = {}): string | undefined {
  if (!(model in PRESETS) || engine === "llama.cpp") return undefined;
  const dtype = quantization as ModelDtype;
  const graph = options.graph ?? graphFormFor(model, options.device);
  const activations = activationsFor(dtype, options.device);
  const manifest = readManifest(modelDir(options.modelsDir ?? defaultModelsDir(), model, dtype, { seed: options.seed, graph, activations }));
  return manifest ? manifestHashOf(manifest) : undefined;
}

const manifestHashOf = (manifest: { files: { sha256: string }[] }): string => manifest.files.map((f) => f.sha256).join(":").slice(0, 64);

/** Presets of at least this many parameters ask for an explicit yes before running as fp32 on the CPU. */
export const CONFIRM_CPU_FP32_PARAMETERS = 1e9;

/**
 * Why running `model` as fp32 on the CPU needs an explicit yes (a 7B preset: a 27 GB build, seconds per token), or
 * null when it does not: other dtypes, GPU devices, small presets and models the user brought go ahead.
 */
export function cpuFp32Problem(model: string, quantization: Quantization, device: SweepDevice | "auto" | undefined): string | null {
  if (!isPreset(model) || quantization !== "fp32" || (device ?? "cpu") !== "cpu") return null;
  const parameters = parameterCount(PRESETS[model]);
  if (parameters < CONFIRM_CPU_FP32_PARAMETERS) return null;
  return `${model} as fp32 on the CPU means writing ${formatBytes(parameters * 4)} of random weights and generating at seconds per token: ` +
    "pass --yes to go ahead (WATTLAB_YES=1 where there is no flag, e.g. notebooks), or choose int8/int4 weights or a GPU device";
}

/** The first cpuFp32Problem among a sweep's configurations, so a sweep can refuse before measuring anything. */
export function firstCpuFp32Problem(configs: Iterable<{ model: string; quantization: Quantization; device: SweepDevice }>): string | null {
  for (const c of configs) {
    const problem = cpuFp32Problem(c.model, c.quantization, c.device);
    if (problem) return problem;
  }
  return null;
}

/** Whether the caller said yes to what cpuFp32Problem describes. */
export function saidYes(options: { yes?: boolean }): boolean {
  return options.yes === true || process.env.WATTLAB_YES === "1";
}

/** Why `model` cannot be had (neither a preset, an existing path nor a hub reference), or null when it can. */
export function modelProblem(model: string): string | null {
  if (model in PRESETS || existsSync(model) || isHubReference(model)) return null;
  return `model "${model}" is neither a preset (${Object.keys(PRESETS).join(", ")}) nor an existing path; ` +
    "build one with `wattlab build-model --preset NAME` or pass a model folder / .gguf file";
}

/** The first modelProblem among a sweep's configurations, so a sweep can refuse before writing anything. */
export function firstModelProblem(configs: Iterable<{ model: string }>): string | null {
  for (const model of new Set([...configs].map((c) => c.model))) {
    const problem = modelProblem(model);
    if (problem) return problem;
  }
  return null;
}

/** Resolves (and builds on first use) the model a sweep row names. */
export async function resolveModel(model: string, quantization: Quantization, engine: EngineName,
  options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const problem = cpuFp32Problem(model, quantization, options.device);
  if (problem && !saidYes(options)) throw new Error(problem);
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  if (!(model in PRESETS)) {
    // Hub references are the engine's to fetch (onnx-community/… for onnxruntime, hf:… URIs for llama.cpp).
    if (!existsSync(model) && isHubReference(model)) return { dir: model, graphForm: null };
    const problem = modelProblem(model);
    if (problem) throw new Error(problem);
    const dir = resolve(model);
    return { dir, graphForm: statSync(dir).isDirectory() ? manifestGraphForm(dir) : null };
  }
  mkdirSync(modelsDir, { recursive: true });
  const tokenizerDir = tokenizerFor(model, options);
  if (engine === "llama.cpp") {
    const form = GGUF_FORM[quantization];
    const path = join(modelsDir, `${model}-${form}${tokenizerDir ? "" : "-synthvocab"}.gguf`);
    if (!existsSync(path) || statSync(path).size === 0) {
      removeStalePartials(modelsDir, options.notice?.say);
      await buildGguf({ preset: model, dtype: form, outPath: path, seed: options.seed, tokenizerDir, notice: options.notice });
    }
    return { dir: path, graphForm: null };
  }
  const graph = options.graph ?? graphFormFor(model, options.device);
  const dtype = quantization as ModelDtype;
  const activations = activationsFor(dtype, options.device);
  const manifest = await ensureModel(modelsDir, model, dtype, { seed: options.seed, tokenizerDir, graph, activations, notice: options.notice });
  return { dir: manifest.dir, manifestHash: manifestHashOf(manifest), graphForm: manifest.graph };
}
