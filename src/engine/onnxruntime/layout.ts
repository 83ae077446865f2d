// Recognises a model folder by its files and reads what generation needs from its configs.
// Three layouts: onnxruntime-genai (genai_config.json + model.onnx), HF optimum / onnx-community
// (config.json + onnx/model_<dtype>.onnx) and wattlab's own builds (wattlab-manifest.json beside genai files).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export type ModelLayoutKind = "onnxruntime-genai" | "optimum" | "wattlab";
export type WeightDtype = "fp32" | "fp16" | "int8" | "int4" | "q4f16";
export const WEIGHT_DTYPES: readonly WeightDtype[] = ["fp32", "fp16", "int8", "int4", "q4f16"];

/** optimum / transformers.js file names per dtype, first match wins. */
const OPTIMUM_FILES: Readonly<Record<WeightDtype, readonly string[]>> = {
  fp32: ["model.onnx"],
  fp16: ["model_fp16.onnx"],
  int8: ["model_int8.onnx", "model_quantized.onnx"],
  int4: ["model_q4.onnx"],
  q4f16: ["model_q4f16.onnx"],
};
/** optimum file names for a dtype, in the order they are tried (onnx/ is not included). */
export function optimumFileNames(dtype: WeightDtype): readonly string[] {
  return OPTIMUM_FILES[dtype];
}

/** Used when no dtype is asked for: the first of these the folder holds. */
const OPTIMUM_DEFAULT_ORDER: readonly WeightDtype[] = ["fp16", "fp32", "q4f16", "int4", "int8"];

/** What generation needs from a model's configs; null where the folder does not say. */
export interface ModelConfigSummary {
  eosTokenIds: number[];
  bosTokenId: number | null;
  padTokenId: number | null;
  contextLength: number | null;
  vocabSize: number | null;
  numLayers: number | null;
  numKvHeads: number | null;
  headSize: number | null;
  /** KV input/output name templates with "%d" for the layer, from genai_config.json. */
  kvNameTemplates: string[];
}

export interface ModelLayout {
  kind: ModelLayoutKind;
  dir: string;
  /** The .onnx file to run (external data beside it is found by onnxruntime). */
  modelPath: string;
  /** The dtype chosen by file name (optimum) or stated by the manifest; null when only the graph can tell. */
  dtype: WeightDtype | null;
  /** A weight form stated by the folder (wattlab manifest), else null. */
  weightForm: string | null;
  /** optimum layouts: every dtype the folder holds a file for (the chosen one included); [] for one-model layouts. */
  present: WeightDtype[];
  config: ModelConfigSummary;
}

export function assertWeightDtype(dtype: string): asserts dtype is WeightDtype {
  if (!(WEIGHT_DTYPES as readonly string[]).includes(dtype)) {
    throw new Error(`Unsupported dtype "${dtype}". Should be one of: ${WEIGHT_DTYPES.join(", ")}`);
  }
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function readJsonIfExists(path: string): Record<string, unknown> | null {
  return existsSync(path) ? readJson(path) : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function ids(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === "number");
  return [];
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** genai_config.json → summary; `model.decoder` holds the shapes and I/O names. */
function fromGenaiConfig(genai: Record<string, unknown>): ModelConfigSummary {
  const model = record(genai.model);
  const decoder = record(model.decoder);
  const inputs = record(decoder.inputs);
  const outputs = record(decoder.outputs);
  const templates = [inputs.past_key_names, inputs.past_value_names, outputs.present_key_names, outputs.present_value_names]
    .filter((t): t is string => typeof t === "string" && t.includes("%d"));
  return {
    eosTokenIds: ids(model.eos_token_id),
    bosTokenId: num(model.bos_token_id),
    padTokenId: num(model.pad_token_id),
    contextLength: num(model.context_length),
    vocabSize: num(model.vocab_size),
    numLayers: num(decoder.num_hidden_layers),
    numKvHeads: num(decoder.num_key_value_heads),
    headSize: num(decoder.head_size),
    kvNameTemplates: templates,
  };
}

/** HF config.json (+ generation_config.json, whose eos list wins: Llama 3 stops on several ids). */
function fromHfConfig(config: Record<string, unknown>, generation: Record<string, unknown> | null): ModelConfigSummary {
  const text = record(config.text_config);
  const c = Object.keys(text).length > 0 ? { ...config, ...text } : config;
  const heads = num(c.num_attention_heads);
  const hidden = num(c.hidden_size);
  const eos = generation && ids(generation.eos_token_id).length > 0 ? ids(generation.eos_token_id) : ids(c.eos_token_id);
  return {
    eosTokenIds: eos,
    bosTokenId: num(generation?.bos_token_id) ?? num(c.bos_token_id),
    padTokenId: num(generation?.pad_token_id) ?? num(c.pad_token_id),
    contextLength: num(c.max_position_embeddings) ?? num(c.n_positions) ?? num(c.max_sequence_length),
    vocabSize: num(c.vocab_size),
    numLayers: num(c.num_hidden_layers) ?? num(c.n_layer),
    numKvHeads: num(c.num_key_value_heads) ?? heads,
    headSize: num(c.head_dim) ?? (heads && hidden ? hidden / heads : null),
    kvNameTemplates: [],
  };
}

/** Fields of the first summary win; the second fills the gaps. */
function merge(first: ModelConfigSummary, second: ModelConfigSummary): ModelConfigSummary {
  const pick = <K extends keyof ModelConfigSummary>(key: K): ModelConfigSummary[K] => first[key] ?? second[key];
  return {
    eosTokenIds: first.eosTokenIds.length > 0 ? first.eosTokenIds : second.eosTokenIds,
    bosTokenId: pick("bosTokenId"), padTokenId: pick("padTokenId"), contextLength: pick("contextLength"),
    vocabSize: pick("vocabSize"), numLayers: pick("numLayers"), numKvHeads: pick("numKvHeads"), headSize: pick("headSize"),
    kvNameTemplates: first.kvNameTemplates.length > 0 ? first.kvNameTemplates : second.kvNameTemplates,
  };
}

function genaiModelPath(dir: string, genai: Record<string, unknown>): string {
  const filename = record(record(genai.model).decoder).filename;
  const name = typeof filename === "string" ? filename : "model.onnx";
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`${join(dir, "genai_config.json")}: names the decoder file "${name}", which is missing from ${dir}`);
  return path;
}

function optimumModelPath(dir: string, dtype: WeightDtype | undefined): { path: string; dtype: WeightDtype; present: WeightDtype[] } {
  const onnxDir = join(dir, "onnx");
  const find = (d: WeightDtype) => OPTIMUM_FILES[d].map((f) => join(onnxDir, f)).find((p) => existsSync(p));
  const present = WEIGHT_DTYPES.filter((d) => find(d));
  if (dtype) {
    const path = find(dtype);
    if (!path) {
      throw new Error(`${onnxDir}: no ${OPTIMUM_FILES[dtype].join(" or ")} for dtype "${dtype}"; present: ${present.join(", ") || "none"}`);
    }
    return { path, dtype, present };
  }
  for (const d of OPTIMUM_DEFAULT_ORDER) {
    const path = find(d);
    if (path) return { path, dtype: d, present };
  }
  throw new Error(`${onnxDir}: no model file wattlab knows (${WEIGHT_DTYPES.map((d) => OPTIMUM_FILES[d].join("|")).join(", ")})`);
}

/**
 * Detects the layout of a model folder. A folder it cannot drive gives a one-line error naming the
 * file and what is missing.
 */
export function detectModelLayout(dir: string, options: { dtype?: string } = {}): ModelLayout {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: model folder not found`);
  if (options.dtype !== undefined) assertWeightDtype(options.dtype);
  const dtype = options.dtype as WeightDtype | undefined;
  const genaiPath = join(dir, "genai_config.json");
  const hfPath = join(dir, "config.json");
  const manifestPath = join(dir, "wattlab-manifest.json");
  const hf = readJsonIfExists(hfPath);
  const generation = readJsonIfExists(join(dir, "generation_config.json"));

  if (existsSync(manifestPath)) {
    if (!existsSync(genaiPath)) throw new Error(`${dir}: has wattlab-manifest.json but no genai_config.json (a wattlab build writes both)`);
    const manifest = readJson(manifestPath);
    const genai = readJson(genaiPath);
    const stated = typeof manifest.dtype === "string" && (WEIGHT_DTYPES as readonly string[]).includes(manifest.dtype)
      ? (manifest.dtype as WeightDtype) : null;
    if (dtype && stated && dtype !== stated) {
      throw new Error(`${manifestPath}: this build is ${stated}, not the dtype "${dtype}" asked for`);
    }
    const summary = fromGenaiConfig(genai);
    return {
      kind: "wattlab", dir, modelPath: genaiModelPath(dir, genai), dtype: stated,
      weightForm: typeof manifest.weightForm === "string" ? manifest.weightForm : null, present: [],
      config: hf ? merge(summary, fromHfConfig(hf, generation)) : summary,
    };
  }
  if (existsSync(genaiPath)) {
    const genai = readJson(genaiPath);
    const summary = fromGenaiConfig(genai);
    return {
      kind: "onnxruntime-genai", dir, modelPath: genaiModelPath(dir, genai), dtype: null, weightForm: null, present: [],
      config: hf ? merge(summary, fromHfConfig(hf, generation)) : summary,
    };
  }
  if (existsSync(join(dir, "onnx"))) {
    if (!hf) throw new Error(`${dir}: has onnx/ but no config.json (an optimum / onnx-community export has both)`);
    const chosen = optimumModelPath(dir, dtype);
    return {
      kind: "optimum", dir, modelPath: chosen.path, dtype: chosen.dtype, weightForm: null, present: chosen.present, config: fromHfConfig(hf, generation),
    };
  }
  throw new Error(`${dir}: not a model folder wattlab can drive: no genai_config.json (onnxruntime-genai), ` +
    `no onnx/model*.onnx with config.json (optimum / onnx-community), no wattlab-manifest.json`);
}

/**
 * One line saying which file of an optimum folder with several was run when no dtype was asked for; null when the
 * folder holds one model or a dtype was asked for.
 */
export function optimumChoiceNote(layout: ModelLayout, asked: string | undefined): string | null {
  if (layout.kind !== "optimum" || asked !== undefined || layout.present.length < 2) return null;
  return `${layout.dir} holds ${layout.present.join(", ")}; ran ${layout.dtype} (${relative(layout.dir, layout.modelPath)}), ` +
    `the first of ${OPTIMUM_DEFAULT_ORDER.join(", ")} it holds: pick another with --dtype`;
}

/** The model file relative to its folder, for weight-form labels. */
export function modelFileLabel(layout: ModelLayout): string {
  return relative(layout.dir, layout.modelPath);
}

/**
 * Whether the graph holds 4-bit MatMulNBits nodes, read from the .onnx bytes when they are small
 * (weights in external data); null when the file is too big to scan cheaply.
 */
export function graphUsesMatMulNBits(modelPath: string, maxBytes = 64 * 1024 * 1024): boolean | null {
  if (statSync(modelPath).size > maxBytes) return null;
  return readFileSync(modelPath).includes("MatMulNBits");
}
