// A sweep spec: a base configuration, the values each dimension takes, how runs repeat and in what order.
// Specs come from JSON files, built-in names or CLI flags; every problem is found before anything runs
// (src/sweep/validate.ts), and a spec expands into runs in src/sweep/expand.ts.
import { readFileSync } from "node:fs";
import {
  DIMENSIONS, NAMED_LENGTHS, configColumns, isLengthDimension, withDimension,
  type Dimension, type DimensionValues, type RunConfig,
} from "./dimensions.js";
import { carbonSettingFromJson, carbonSettingToJson, CarbonSettingError, type CarbonSetting, type CarbonSpecJson } from "./carbon.js";
import type { PrefillEnergyMode } from "./prefill-energy.js";
import type { FlashAttention } from "../engine/types.js";
import { SweepSpecError, specProblems, type ContextLengthLookup, type SpecProblem } from "./validate.js";

// Validation (src/sweep/validate.ts) and expansion (src/sweep/expand.ts) keep their old import path here.
export { defaultContextLength, specProblems, SweepSpecError, validateSpec, type ContextLengthLookup, type SpecProblem } from "./validate.js";
export { engineGroup, expandConfigs, expandRuns, runKey, type PlannedRun } from "./expand.js";

export type SweepMode = "one-at-a-time" | "grid";

/** Wait between runs until the meter reads idle power again (or maxS passes). */
export interface CooldownSpec {
  /** Give up waiting after this long. Units: s. */
  maxS: number;
  /** Idle is reached when average power ≤ idle baseline × (1 + toleranceRatio). */
  toleranceRatio: number;
  /** Length of each power reading while waiting. Units: s. */
  windowS: number;
}

export interface SweepSpec {
  name: string;
  /** `one-at-a-time`: the base, then each dimension's other values with the rest at base. `grid`: every combination. */
  mode: SweepMode;
  base: RunConfig;
  /** Values per dimension; a dimension absent here stays at the base value. */
  dimensions: DimensionValues;
  /** Recorded runs per configuration. */
  repetitions: number;
  /**
   * Unrecorded, unmetered generations per request shape: before the first recorded run of each distinct
   * (engine group, batch size, input length, output length), since engines compile kernels and size
   * buffers per shape (the first run of a new shape was several times slower on the H200).
   */
  warmupRuns: number;
  cooldown: CooldownSpec | null;
  /** Seeded shuffle of the run order inside each engine group and repetition; null keeps canonical order. */
  shuffleSeed: number | null;
  /** Prompt selection seed: the same seed gives the same prompts in every run and on every machine. */
  seed: number;
  /** Ignore EOS so every row produces exactly output_length tokens (the output-length dimension needs it). */
  fixedLength: boolean;
  /** Wrap prompts in the tokenizer's chat template (user turn + generation prompt). */
  chatTemplate: boolean;
  /**
   * How a run is measured (the name is older than its scope). "repeated" (the default when absent): one meter
   * window around back-to-back generations of the same request and one around back-to-back prefills, each long
   * enough for the energy counter (src/sweep/repeated-window.ts); the row holds one generation's share. "window":
   * one generation with a prefill and a decode window at its hooks, sub-second on fast engines: below a GPU
   * counter's resolution, and flagged so.
   */
  prefillEnergy?: PrefillEnergyMode;
  /**
   * llama.cpp's flash attention for every llama.cpp run (other engines have none); absent = auto, node-llama-cpp's
   * default (on where the backend supports it). Part of a run's identity when on or off.
   */
  flashAttention?: FlashAttention;
  /**
   * CPU threads every engine evaluates with (onnxruntime's intra-op threads, llama.cpp's contexts); absent: each
   * engine's own default. Part of a run's identity when set, so thread counts can share one results folder.
   */
  threads?: number;
  /**
   * llama.cpp's switches in the environment the runs see (GGML_*, LLAMA_*: src/sweep/cluster.ts), set by the runner
   * from its environment, never read from a spec file. Part of a llama.cpp run's identity when any is set, so a run
   * with CUDA graphs off is not taken for one measured with them on.
   */
  backendEnv?: string;
  /** Older name of minWindowS (which wins when both are set). Units: s. */
  prefillMinS?: number;
  /**
   * Repeated windows last at least this long OR span minWindowUpdates updates of the slowest energy counter,
   * whichever is shorter (src/sweep/repeated-window.ts). Units: s. Default 2; prefillMinS is its older name.
   */
  minWindowS?: number;
  /** Counter updates that also make a window long enough. Default 20 (0: minWindowS alone). */
  minWindowUpdates?: number;
  /** Generations (or prefills) each repeated window holds at least. Default 3. */
  minGenerations?: number;
  /**
   * When alpaca/gsm8k can be neither found nor downloaded, measure its synthetic look-alike
   * (synthetic-instruct / synthetic-math) and record dataset_used; otherwise those runs fail with the fix.
   * On in the built-in specs and notebooks, off for spec files and an explicit --dataset.
   */
  datasetFallback?: boolean;
  /** Grid zone, PUE, intensity source and embodied carbon for the rows' gCO2eq; not part of any run's key. */
  carbon?: CarbonSetting;
}

export const DEFAULT_REPETITIONS = 3;
export const DEFAULT_WARMUP_RUNS = 1;
export const DEFAULT_SEED = 0;

// ---------------------------------------------------------------------------------------------------------
// Parsing from JSON

/** A spec as written in JSON: snake_case, named lengths allowed, everything optional but sane defaults. */
export interface SweepSpecJson {
  name?: string;
  /** Start from a built-in spec (e.g. "tiny-batch") and override fields. */
  extends?: string;
  mode?: SweepMode;
  base?: Partial<Record<Dimension, string | number>>;
  dimensions?: Partial<Record<Dimension, (string | number)[]>>;
  repetitions?: number;
  /** Unrecorded generations before the first recorded run of each request shape (see SweepSpec.warmupRuns). */
  warmup_runs?: number;
  /** Seconds to wait at most, or the full form. */
  cooldown?: number | { max_s?: number; tolerance?: number; window_s?: number } | null;
  shuffle_seed?: number | null;
  seed?: number;
  fixed_length?: boolean;
  chat_template?: boolean;
  /** llama.cpp: "auto" (default), "on" or "off"; see SweepSpec.flashAttention. */
  flash_attention?: FlashAttention;
  /** CPU threads of every engine; see SweepSpec.threads. */
  threads?: number;
  /** "repeated" (default) or "window"; see SweepSpec.prefillEnergy. */
  prefill_energy?: PrefillEnergyMode;
  /** Minimum length of the repeated-prefill window. Units: s. */
  prefill_min_s?: number;
  /** Minimum repeated window (or min_window_updates counter updates, whichever is shorter). Units: s. */
  min_window_s?: number;
  min_window_updates?: number;
  min_generations?: number;
  /** Measure the synthetic look-alike when alpaca/gsm8k files are missing (see SweepSpec.datasetFallback). */
  dataset_fallback?: boolean;
  /** Grid zone, PUE, fixed intensity, embodied carbon (src/sweep/carbon.ts); flags and environment override it. */
  carbon?: CarbonSpecJson;
}

const TOP_FIELDS = ["name", "extends", "mode", "base", "dimensions", "repetitions", "warmup_runs", "cooldown",
  "shuffle_seed", "seed", "fixed_length", "chat_template", "flash_attention", "threads", "prefill_energy", "prefill_min_s",
  "min_window_s", "min_window_updates", "min_generations", "dataset_fallback", "carbon", "$schema", "description"];

export const DEFAULT_BASE: RunConfig = {
  model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "alpaca",
  inputLength: 128, outputLength: 128, batchSize: 1,
};

/** "short" → 128, "512" → 512, 12.5 stays 12.5 (and is reported), anything else passes through to validation. */
export function normalizeValue(d: Dimension, raw: unknown): unknown {
  if (d === "input_length" || d === "output_length" || d === "batch_size") {
    if (typeof raw === "string") {
      const s = raw.trim().toLowerCase();
      if (isLengthDimension(d) && s in NAMED_LENGTHS) return NAMED_LENGTHS[s];
      if (s !== "" && Number.isFinite(Number(s))) return Number(s);
    }
    return raw;
  }
  return typeof raw === "string" ? raw.trim() : raw;
}

/**
 * A typed spec from parsed JSON. Unknown fields, unknown dimension names and bad values are all reported
 * together in one SweepSpecError. `builtins` resolves `extends`.
 */
export function parseSpec(input: unknown, options: { contextLength?: ContextLengthLookup; builtins?: Record<string, SweepSpec> } = {}): SweepSpec {
  const problems: SpecProblem[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new SweepSpecError("(unnamed)", [{ field: "spec", value: input, reason: "a spec is a JSON object", fix: 'write e.g. {"base": {...}, "dimensions": {"batch_size": [1, 2, 4]}}' }]);
  }
  const json = input as SweepSpecJson & Record<string, unknown>;
  for (const k of Object.keys(json)) {
    if (!TOP_FIELDS.includes(k)) problems.push({ field: k, value: json[k], reason: "unknown field", fix: `use one of: ${TOP_FIELDS.filter((f) => !f.startsWith("$")).join(", ")}` });
  }
  let start: SweepSpec = {
    name: "custom", mode: "one-at-a-time", base: DEFAULT_BASE, dimensions: {}, repetitions: DEFAULT_REPETITIONS,
    warmupRuns: DEFAULT_WARMUP_RUNS, cooldown: null, shuffleSeed: null, seed: DEFAULT_SEED, fixedLength: true, chatTemplate: false,
  };
  if (json.extends !== undefined) {
    const parent = options.builtins?.[String(json.extends)];
    if (parent) start = structuredClone(parent);
    else problems.push({ field: "extends", value: json.extends, reason: "no built-in spec of that name", fix: `use one of: ${Object.keys(options.builtins ?? {}).join(", ") || "(none given)"}` });
  }
  const spec: SweepSpec = { ...start, base: { ...start.base }, dimensions: { ...start.dimensions } };
  if (json.name !== undefined) spec.name = String(json.name);
  else if (json.extends !== undefined) spec.name = String(json.extends);
  if (json.mode !== undefined) spec.mode = json.mode;

  const dimensionObject = (field: "base" | "dimensions", value: unknown): Record<string, unknown> => {
    if (value === undefined) return {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({ field, value, reason: "must be an object keyed by dimension", fix: `use keys among: ${DIMENSIONS.join(", ")}` });
      return {};
    }
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      if (!(DIMENSIONS as readonly string[]).includes(k)) problems.push({ field: `${field}.${k}`, value: obj[k], reason: "unknown dimension", fix: `use one of: ${DIMENSIONS.join(", ")}` });
    }
    return obj;
  };
  const base = dimensionObject("base", json.base);
  const dims = dimensionObject("dimensions", json.dimensions);
  for (const d of DIMENSIONS) {
    if (d in base) spec.base = withDimension(spec.base, d, normalizeValue(d, base[d]) as string | number);
    if (d in dims) {
      const list = dims[d];
      if (!Array.isArray(list) || list.length === 0) {
        problems.push({ field: d, value: list, reason: "a dimension lists one or more values", fix: `write e.g. "${d}": [${isLengthDimension(d) ? '"short", "medium", "long"' : d === "batch_size" ? "1, 2, 4" : '"…"'}]` });
      } else {
        (spec.dimensions as Record<string, unknown>)[d] = list.map((v) => normalizeValue(d, v));
      }
    }
  }
  applySettings(spec, json, problems);
  if (!Number.isInteger(spec.seed)) problems.push({ field: "seed", value: spec.seed, reason: "must be an integer", fix: "use e.g. 0" });
  if (spec.shuffleSeed !== null && !Number.isInteger(spec.shuffleSeed)) problems.push({ field: "shuffle_seed", value: spec.shuffleSeed, reason: "must be an integer or null", fix: "use e.g. 1, or null for canonical order" });

  const all = [...problems, ...(problems.length ? specProblems(spec, () => undefined) : specProblems(spec, options.contextLength))];
  if (all.length) throw new SweepSpecError(spec.name, all);
  return spec;
}

/** The spec's scalar settings (repetitions, seeds, protocol, engine settings, carbon) onto `spec`. */
function applySettings(spec: SweepSpec, json: SweepSpecJson, problems: SpecProblem[]): void {
  if (json.repetitions !== undefined) spec.repetitions = json.repetitions;
  if (json.warmup_runs !== undefined) spec.warmupRuns = json.warmup_runs;
  if (json.seed !== undefined) spec.seed = json.seed;
  if (json.shuffle_seed !== undefined) spec.shuffleSeed = json.shuffle_seed;
  if (json.fixed_length !== undefined) spec.fixedLength = json.fixed_length === true;
  if (json.chat_template !== undefined) spec.chatTemplate = json.chat_template === true;
  if (json.flash_attention !== undefined) spec.flashAttention = json.flash_attention;
  if (json.threads !== undefined) spec.threads = json.threads;
  if (json.cooldown !== undefined) spec.cooldown = parseCooldown(json.cooldown);
  if (json.prefill_energy !== undefined) spec.prefillEnergy = json.prefill_energy;
  if (json.prefill_min_s !== undefined) spec.prefillMinS = json.prefill_min_s;
  if (json.min_window_s !== undefined) spec.minWindowS = json.min_window_s;
  if (json.min_window_updates !== undefined) spec.minWindowUpdates = json.min_window_updates;
  if (json.min_generations !== undefined) spec.minGenerations = json.min_generations;
  if (json.dataset_fallback !== undefined) {
    if (typeof json.dataset_fallback === "boolean") spec.datasetFallback = json.dataset_fallback;
    else problems.push({ field: "dataset_fallback", value: json.dataset_fallback, reason: "must be true or false", fix: "write true to measure the synthetic look-alike when a dataset file is missing, false to fail those runs" });
  }
  if (json.carbon !== undefined) {
    try {
      spec.carbon = carbonSettingFromJson(json.carbon);
    } catch (error) {
      if (!(error instanceof CarbonSettingError)) throw error;
      problems.push({ field: "carbon", value: json.carbon, reason: error.message, fix: 'write e.g. "carbon": {"zone": "FR", "pue": 1.2}' });
    }
  }
}

export function parseCooldown(raw: SweepSpecJson["cooldown"]): CooldownSpec | null {
  if (raw === null || raw === undefined || raw === 0) return null;
  if (typeof raw === "number") return { maxS: raw, toleranceRatio: 0.05, windowS: 1 };
  return { maxS: raw.max_s ?? 60, toleranceRatio: raw.tolerance ?? 0.05, windowS: raw.window_s ?? 1 };
}

/** A spec from a JSON file. YAML is not read (no YAML parser among the dependencies): convert it to JSON. */
export function loadSpecFile(path: string, options: Parameters<typeof parseSpec>[1] = {}): SweepSpec {
  if (/\.ya?ml$/i.test(path)) throw new Error(`sweep spec ${path}: YAML is not supported; write the same fields as JSON (${path.replace(/\.ya?ml$/i, ".json")})`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new Error(`sweep spec ${path}: ${why}; check the path (or pass a built-in spec with --preset ${Object.keys(options.builtins ?? {}).join("|") || "NAME"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`sweep spec ${path}: ${(error as Error).message}. Fix the JSON (or pass a built-in spec with --preset)`);
  }
  const spec = parseSpec(json, options);
  return (json as SweepSpecJson).name === undefined && (json as SweepSpecJson).extends === undefined
    ? { ...spec, name: path.replace(/^.*[\\/]/, "").replace(/\.json$/i, "") } : spec;
}

/** The spec back as JSON (what a child process or a results folder gets). */
export function specToJson(spec: SweepSpec): SweepSpecJson {
  const base: Partial<Record<Dimension, string | number>> = configColumns(spec.base);
  return {
    name: spec.name, mode: spec.mode, base, dimensions: { ...spec.dimensions }, repetitions: spec.repetitions,
    warmup_runs: spec.warmupRuns,
    cooldown: spec.cooldown ? { max_s: spec.cooldown.maxS, tolerance: spec.cooldown.toleranceRatio, window_s: spec.cooldown.windowS } : null,
    shuffle_seed: spec.shuffleSeed, seed: spec.seed, fixed_length: spec.fixedLength, chat_template: spec.chatTemplate,
    ...(spec.flashAttention !== undefined ? { flash_attention: spec.flashAttention } : {}),
    ...(spec.threads !== undefined ? { threads: spec.threads } : {}),
    ...(spec.prefillEnergy !== undefined ? { prefill_energy: spec.prefillEnergy } : {}),
    ...(spec.prefillMinS !== undefined ? { prefill_min_s: spec.prefillMinS } : {}),
    ...(spec.minWindowS !== undefined ? { min_window_s: spec.minWindowS } : {}),
    ...(spec.minWindowUpdates !== undefined ? { min_window_updates: spec.minWindowUpdates } : {}),
    ...(spec.minGenerations !== undefined ? { min_generations: spec.minGenerations } : {}),
    ...(spec.datasetFallback !== undefined ? { dataset_fallback: spec.datasetFallback } : {}),
    ...(spec.carbon && Object.keys(spec.carbon).length ? { carbon: carbonSettingToJson(spec.carbon) } : {}),
  };
}
