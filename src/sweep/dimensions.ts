// The sweep's dimensions: their names (as written in specs, CLI flags and result columns), allowed values,
// and the one-run configuration they make up.
import { DATASETS, type DatasetName } from "../data/names.js";
import type { EngineName, ExecutionProvider } from "../engine/types.js";

// Dataset names belong to src/data; the sweep names the dimension after them.
export { DATASETS, type DatasetName };

export const QUANTIZATIONS = ["fp32", "fp16", "int8", "int4"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

/** onnxruntime's execution providers, plus llama.cpp's Vulkan backend. */
export type SweepDevice = ExecutionProvider | "vulkan";
export const DEVICES = ["cpu", "webgpu", "cuda", "vulkan"] as const satisfies readonly SweepDevice[];
/** Which engine runs on which device; a spec pairing others is refused before anything runs. */
export const ENGINE_DEVICES: Readonly<Record<EngineName, readonly SweepDevice[]>> = {
  onnxruntime: ["cpu", "webgpu", "cuda"],
  "llama.cpp": ["cpu", "cuda", "vulkan"],
};
export const ENGINES = ["onnxruntime", "llama.cpp"] as const satisfies readonly EngineName[];

/** The seed study's named lengths. Units: tokens. */
export const NAMED_LENGTHS: Readonly<Record<string, number>> = { short: 128, medium: 512, long: 1024 };

/** One run's workload and system: every dimension holds exactly one value. */
export interface RunConfig {
  model: string;
  engine: EngineName;
  device: SweepDevice;
  quantization: Quantization;
  dataset: DatasetName;
  /** Units: tokens per prompt. */
  inputLength: number;
  /** Units: new tokens per prompt. */
  outputLength: number;
  /** Prompts per generate call. */
  batchSize: number;
}

/** Dimension names in canonical order: one-at-a-time expansion and keys follow this order. */
export const DIMENSIONS = ["model", "engine", "device", "quantization", "dataset", "input_length", "output_length", "batch_size"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Spec/column name → RunConfig field. */
export const DIMENSION_FIELD = {
  model: "model", engine: "engine", device: "device", quantization: "quantization", dataset: "dataset",
  input_length: "inputLength", output_length: "outputLength", batch_size: "batchSize",
} as const satisfies Record<Dimension, keyof RunConfig>;

/** Values per dimension, as a spec lists them (after normalisation). */
export interface DimensionValues {
  model?: string[];
  engine?: EngineName[];
  device?: SweepDevice[];
  quantization?: Quantization[];
  dataset?: DatasetName[];
  input_length?: number[];
  output_length?: number[];
  batch_size?: number[];
}

/** Closed value sets, for validation messages ("Should be one of: …"). */
export const ALLOWED: Partial<Record<Dimension, readonly string[]>> = {
  engine: ENGINES, device: DEVICES, quantization: QUANTIZATIONS, dataset: DATASETS,
};

export function isLengthDimension(d: Dimension): d is "input_length" | "output_length" {
  return d === "input_length" || d === "output_length";
}

export function getDimension(config: RunConfig, d: Dimension): string | number {
  return config[DIMENSION_FIELD[d]];
}

export function withDimension(config: RunConfig, d: Dimension, value: string | number): RunConfig {
  return { ...config, [DIMENSION_FIELD[d]]: value } as RunConfig;
}

/** The configuration in column names, in canonical order (for keys and rows). */
export function configColumns(config: RunConfig): Record<Dimension, string | number> {
  const out = {} as Record<Dimension, string | number>;
  for (const d of DIMENSIONS) out[d] = getDimension(config, d);
  return out;
}

/** A short human label, e.g. "tiny fp32 cpu onnxruntime alpaca in=32 out=16 b=2". */
export function describeConfig(c: RunConfig): string {
  return `${c.model} ${c.quantization} ${c.device} ${c.engine} ${c.dataset} in=${c.inputLength} out=${c.outputLength} b=${c.batchSize}`;
}
