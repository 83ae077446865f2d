// One result row per run: every configuration field, the timings, the energy split by phase and device,
// where each figure came from, and enough metadata to reproduce it. Column names carry their units.
//
// Measured vs estimated: every energy-derived figure has two stable columns, `<name>_measured` and
// `<name>_estimated`; exactly one is filled (or neither, when nothing was measured). A figure is estimated
// when its device's source is `estimated` (e.g. CPU energy from TDP × utilisation); totals and everything
// derived from them (dynamic, per phase, per token, power, carbon) are estimated when any part is.
// So the CSV keeps the same columns in every row, and no estimate can pass for a measurement.
//
// The rows themselves are built in src/sweep/record-build.ts (completedRecord, failedRecord) and their carbon in
// src/sweep/record-carbon.ts.
import type { EngineInfo, GenerationResult } from "../engine/types.js";
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import type { RepeatedPrefill } from "./prefill-energy.js";
import type { RunConfig } from "./dimensions.js";

export type Cell = string | number | boolean | null;
export type RunState = "completed" | "failed";

/** The energy-derived figures that come as `<name>_measured` / `<name>_estimated` pairs. */
export const PAIRED_FIGURES = [
  "energy_total_j", "energy_dynamic_j", "gpu_energy_j", "cpu_energy_j", "dram_energy_j",
  "prefill_energy_j", "decode_energy_j", "prefill_j_per_input_token", "decode_j_per_output_token",
  // one prefill from a window around repeated prefills (src/sweep/prefill-energy.ts); empty in "window" mode
  "prefill_energy_repeated_j", "prefill_j_per_input_token_repeated",
  // the GPU counter's share of it alone: comparable with a GPU-only baseline where the CPU figure is an estimate
  "prefill_gpu_j_per_input_token_repeated",
  // one definition each (src/quantities.ts): the whole generation per output token, with the CPU and GPU-only
  "j_per_output_token", "gpu_j_per_output_token", "gpu_decode_j_per_output_token", "gpu_j_per_input_token",
  "avg_power_w", "peak_power_w", "gco2eq",
] as const;
export type PairedFigure = (typeof PAIRED_FIGURES)[number];

const pairs = PAIRED_FIGURES.flatMap((f) => [`${f}_measured`, `${f}_estimated`]);

/** Every column, in CSV order. */
export const RECORD_COLUMNS = [
  // identity and state
  "key", "state", "error_name", "error_message", "sweep", "repetition", "seed",
  // configuration
  "model", "engine", "device", "quantization", "dataset", "input_length", "output_length", "batch_size",
  "dataset_requested", "dataset_used", "dataset_note", "fixed_length", "chat_template",
  // timings and throughput
  "latency_total_s", "latency_prefill_s", "latency_decode_s", "decode_step_p50_s", "decode_step_p90_s",
  "tokens_in", "tokens_out", "throughput_tokens_per_s", "decode_tokens_per_s",
  // memory
  "peak_gpu_memory_mb", "peak_rss_mb",
  // energy, power, carbon (pairs), then their sources
  ...pairs,
  "energy_window_s", "prefill_repeats", "prefill_repeated_window_s", "idle_power_w", "idle_share",
  // the measurement protocol (src/sweep/protocol.ts) and what the windows resolved (src/meter/resolution.ts)
  "measurement", "protocol", "protocol_hash", "generations", "generation_window_s",
  "counter_update_ms", "counter_step_j", "counter_updates", "below_resolution", "prefill_counter_updates", "prefill_below_resolution",
  // GPU state at the start and end of the run's windows (hottest GPU, slowest clock, summed power)
  "gpu_temp_start_c", "gpu_temp_end_c", "gpu_sm_clock_start_mhz", "gpu_sm_clock_end_mhz", "gpu_power_start_w", "gpu_power_end_w",
  "cpu_estimate_scope", "machine_busy_share",
  "gpu_energy_source", "cpu_energy_source", "dram_energy_source", "energy_source",
  "carbon_intensity_g_per_kwh", "carbon_source",
  // where and when the intensity applies (src/sweep/carbon.ts), and the embodied share when asked for (always an estimate)
  "carbon_zone", "carbon_year", "carbon_datetime", "pue", "gco2eq_embodied_estimated", "embodied_source",
  "cooldown_s",
  // engine and model
  "weight_form", "graph_form", "execution_provider", "backend_version", "flash_attention", "cpu_threads", "context_length", "model_load_s", "model_dir", "model_manifest_hash", "model_weight_bytes",
  // machine and software
  "gpu_model", "gpu_driver", "cpu_model", "hostname", "os", "node_version", "wattlab_version", "git_commit",
  // where a batch scheduler ran it (src/sweep/cluster.ts): the node, Slurm's job and array ids, the GPUs the task saw
  "slurm_node", "slurm_job_id", "slurm_array_job_id", "slurm_array_task_id", "cuda_visible_devices", "backend_env",
  "started_at", "ended_at",
] as const;
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/** A row: every column of RECORD_COLUMNS (null where it does not apply); key and state always set. */
export type RunRecord = { [C in RecordColumn]: Cell } & { key: string; state: RunState };

/** What the machine and software were, filled once per sweep. */
export interface RunMetadata {
  gpu_model: string | null;
  gpu_driver: string | null;
  cpu_model: string | null;
  hostname: string | null;
  os: string | null;
  node_version: string | null;
  wattlab_version: string | null;
  git_commit: string | null;
  slurm_node?: string | null;
  slurm_job_id?: string | null;
  slurm_array_job_id?: string | null;
  slurm_array_task_id?: string | null;
  cuda_visible_devices?: string | null;
  /** GGML_* and LLAMA_* variables set for the run (e.g. GGML_CUDA_DISABLE_GRAPHS=1), space-separated; null when none. */
  backend_env?: string | null;
}

export interface CarbonFigure {
  /** Units: gCO2eq. */
  gco2eq: number;
  /** Units: gCO2eq/kWh. */
  intensityGPerKwh: number;
  /** Where the intensity came from, e.g. "fixed <g/kWh> g/kWh, WORLD average (Ember 2024 via @tgwf/co2)". */
  source: string;
  /** Zone the intensity belongs to, the year of a yearly average, the hour (ISO 8601) a live figure applies to. */
  zone?: string | null;
  year?: number | null;
  datetime?: string | null;
  /** Power usage effectiveness the figure includes (≥ 1). */
  pue?: number | null;
  /** The hardware's manufacturing emissions charged to the run (src/sweep/carbon.ts); absent unless asked for. */
  embodied?: { gco2eq: number; source: string } | null;
}

/** Everything about a run except its measurements. */
export interface RecordContext {
  sweep: string;
  key: string;
  repetition: number;
  seed: number;
  fixedLength: boolean;
  chatTemplate: boolean;
  config: RunConfig;
  /** The dataset the prompts came from when it is not config.dataset (its synthetic look-alike), and why. */
  datasetUsed?: { name: string; reason: string } | null;
  engineInfo: EngineInfo | null;
  modelDir: string | null;
  modelManifestHash: string | null;
  /** Bytes of the model's weight files (src/models/weight-bytes.ts); null or absent where unknown. */
  modelWeightBytes?: number | null;
  /** ONNX graph form the model was built with ("portable", "fused"); null or absent where none applies. */
  graphForm?: string | null;
  metadata: RunMetadata;
  startedAt: Date;
  endedAt: Date;
  /** Idle baseline of the meter, if one was taken. Units: W. */
  idlePowerW: number | null;
  /** Time spent waiting for idle before this run. Units: s. */
  cooldownS: number | null;
  /** The measurement protocol in words and its hash (src/sweep/protocol.ts); absent in older callers. */
  protocol?: { text: string; hash: string } | null;
  /** The slowest energy counter's update period and step as probed at meter open. */
  counter?: { updateMs: number | null; stepJ: number | null } | null;
  /** What the CPU estimate covers ("process": this run's process tree; "machine": every CPU) and how busy the
   * rest of the machine was at the idle baseline (share of all CPUs, 0–1). */
  cpuEstimate?: { scope: string | null; machineBusyShare: number | null } | null;
}

export interface RunMeasurements {
  /** One generation's result (the first of `results` when those are given). */
  result: GenerationResult;
  /** Every generation the row's windows held, in order; default [result]. Latency percentiles use every step. */
  results?: GenerationResult[];
  /** One prefill's share: the hook window from beforePrefill to afterPrefill, or a repeated window ÷ count. */
  prefill: WindowMeasurement;
  /** One generation's decode share: the hook window from afterPrefill to afterDecode, or generation − prefill. */
  decode: WindowMeasurement;
  /** One generation's share of a repeated window (prefill + decode); default prefill + decode. */
  generation?: WindowMeasurement;
  /** "repeated" (windows of back-to-back generations) or "window" (one generation's hook windows). */
  measurement?: "repeated" | "window";
  /** Generations in the generation window and its whole length; default 1 and the generation's seconds. */
  generationWindow?: { count: number; seconds: number } | null;
  /** Carbon of the total energy (measured or estimated alike). */
  carbon: (energyJ: number, seconds?: number) => CarbonFigure;
  /** The repeated-prefill window after the run; null or absent in "window" mode. */
  repeatedPrefill?: RepeatedPrefill | null;
}

/** A row with every column null but its key and state. */
export function emptyRecord(key: string, state: RunState): RunRecord {
  const row = Object.fromEntries(RECORD_COLUMNS.map((c) => [c, null])) as unknown as RunRecord;
  row.key = key;
  row.state = state;
  return row;
}

/** Fills the `_measured` or `_estimated` column of a pair as the source says; nothing for a missing value or no source. */
export function setPair(row: RunRecord, figure: PairedFigure, value: number | null, source: FigureSource): void {
  if (value === null || !Number.isFinite(value) || source === "none") return;
  row[`${figure}_${source === "estimated" ? "estimated" : "measured"}` as RecordColumn] = value;
}

/** The pair's value and whether it is an estimate; value null when neither column is filled. */
export function pairedFigure(row: Record<string, Cell>, figure: PairedFigure): { value: number | null; estimated: boolean } {
  const measured = row[`${figure}_measured`];
  const estimated = row[`${figure}_estimated`];
  if (typeof measured === "number") return { value: measured, estimated: false };
  if (typeof estimated === "number") return { value: estimated, estimated: true };
  return { value: null, estimated: false };
}
