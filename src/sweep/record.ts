// One result row per run: every configuration field, the timings, the energy split by phase and device,
// where each figure came from, and enough metadata to reproduce it. Column names carry their units.
//
// Measured vs estimated: every energy-derived figure has two stable columns, `<name>_measured` and
// `<name>_estimated`; exactly one is filled (or neither, when nothing was measured). A figure is estimated
// when its device's source is `estimated` (e.g. CPU energy from TDP × utilisation); totals and everything
// derived from them (dynamic, per phase, per token, power, carbon) are estimated when any part is.
// So the CSV keeps the same columns in every row, and no estimate can pass for a measurement.
import type { EngineInfo, GenerationResult } from "../engine/types.js";
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import type { RepeatedPrefill } from "./prefill-energy.js";
import { averageIntensity } from "@tgwf/co2/data";
import { addWindows } from "../meter/arithmetic.js";
import { JOULES_PER_KWH } from "../meter/carbon.js";
import { totalSource, weakestSource } from "../meter/measure.js";
import { percentiles } from "../util/stats.js";
import {
  decodeJPerOutputToken, decodeTokensPerS, jPerInputToken, jPerOutputToken, tokensPerS,
} from "../quantities.js";
import { configColumns, type RunConfig } from "./dimensions.js";

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
  "weight_form", "graph_form", "execution_provider", "backend_version", "context_length", "model_load_s", "model_dir", "model_manifest_hash", "model_weight_bytes",
  // machine and software
  "gpu_model", "gpu_driver", "cpu_model", "hostname", "os", "node_version", "wattlab_version", "git_commit",
  // where a batch scheduler ran it (src/sweep/cluster.ts): the node, Slurm's job and array ids, the GPUs the task saw
  "slurm_node", "slurm_job_id", "slurm_array_job_id", "slurm_array_task_id", "cuda_visible_devices",
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

function emptyRecord(key: string, state: RunState): RunRecord {
  const row = Object.fromEntries(RECORD_COLUMNS.map((c) => [c, null])) as unknown as RunRecord;
  row.key = key;
  row.state = state;
  return row;
}

function contextColumns(row: RunRecord, ctx: RecordContext): void {
  Object.assign(row, configColumns(ctx.config));
  row.sweep = ctx.sweep;
  row.repetition = ctx.repetition;
  row.seed = ctx.seed;
  row.fixed_length = ctx.fixedLength;
  row.chat_template = ctx.chatTemplate;
  row.dataset_requested = ctx.config.dataset;
  row.dataset_used = ctx.datasetUsed?.name ?? ctx.config.dataset;
  row.dataset_note = ctx.datasetUsed?.reason ?? null;
  const info = ctx.engineInfo;
  if (info) {
    row.weight_form = info.weightForm;
    row.execution_provider = info.device;
    row.backend_version = info.backendVersion;
    row.context_length = info.contextLength;
    row.model_load_s = info.loadS;
  }
  row.model_dir = ctx.modelDir;
  row.model_manifest_hash = ctx.modelManifestHash;
  row.model_weight_bytes = ctx.modelWeightBytes ?? null;
  row.graph_form = ctx.graphForm ?? null;
  Object.assign(row, ctx.metadata);
  row.idle_power_w = ctx.idlePowerW;
  row.cooldown_s = ctx.cooldownS;
  row.protocol = ctx.protocol?.text ?? null;
  row.protocol_hash = ctx.protocol?.hash ?? null;
  row.counter_update_ms = ctx.counter?.updateMs ?? null;
  row.counter_step_j = ctx.counter?.stepJ ?? null;
  row.cpu_estimate_scope = ctx.cpuEstimate?.scope ?? null;
  row.machine_busy_share = ctx.cpuEstimate?.machineBusyShare ?? null;
  row.started_at = ctx.startedAt.toISOString();
  row.ended_at = ctx.endedAt.toISOString();
}

/** A crash becomes a row: the configuration, the error's name and message, and the metadata. */
export function failedRecord(ctx: RecordContext, error: unknown): RunRecord {
  const row = emptyRecord(ctx.key, "failed");
  contextColumns(row, ctx);
  const e = error instanceof Error ? error : new Error(String(error));
  row.error_name = e.name || "Error";
  row.error_message = e.message;
  return row;
}

function setPair(row: RunRecord, figure: PairedFigure, value: number | null, source: FigureSource): void {
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

const MB = 1024 * 1024;

/** The largest of the windows' sample peaks; null when no window held a power sample (never an average). */
export function peakOf(peaks: readonly (number | null)[]): number | null {
  const seen = peaks.filter((p): p is number => p !== null && Number.isFinite(p));
  return seen.length ? Math.max(...seen) : null;
}

/** A completed run's row from its generations' results and its meter windows (one generation's share of each). */
export function completedRecord(ctx: RecordContext, m: RunMeasurements): RunRecord {
  const row = emptyRecord(ctx.key, "completed");
  contextColumns(row, ctx);
  const { prefill, decode } = m;
  const results = m.results?.length ? m.results : [m.result];
  const generation = m.generation ?? addWindows(prefill, decode, "generation");
  const count = results.length;
  const mean = (f: (r: GenerationResult) => number) => results.reduce((s, r) => s + f(r), 0) / count;
  const rows = m.result.outputIds.length;
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const totalS = mean((r) => r.totalS);
  const decodeS = mean((r) => sum(r.decodeStepS));
  const steps = results.flatMap((r) => r.decodeStepS);
  // per generation: the window's totals divided by its count (identical requests give identical counts)
  const tokensIn = mean((r) => r.inputTokens);
  const tokensOut = mean((r) => r.outputTokens);
  row.latency_total_s = totalS;
  row.latency_prefill_s = mean((r) => r.prefillS);
  row.latency_decode_s = decodeS;
  const stepPercentiles = percentiles(steps, [50, 90]);
  row.decode_step_p50_s = steps.length ? stepPercentiles.p50 : null;
  row.decode_step_p90_s = steps.length ? stepPercentiles.p90 : null;
  row.tokens_in = tokensIn;
  row.tokens_out = tokensOut;
  row.throughput_tokens_per_s = tokensPerS(tokensOut, totalS);
  row.decode_tokens_per_s = decodeTokensPerS(tokensOut, rows, decodeS);
  row.peak_rss_mb = Math.max(...results.map((r) => r.peakRssBytes)) / MB;

  const gpuSeen = prefill.gpus.length > 0 || decode.gpus.length > 0 || generation.gpus.length > 0;
  row.peak_gpu_memory_mb = gpuSeen ? Math.max(prefill.peakGpuMemoryMb, decode.peakGpuMemoryMb, generation.peakGpuMemoryMb) : null;

  const windows = [generation, prefill, decode];
  const gpuSource = weakestSource(windows.map((w) => w.sources.gpu));
  const cpuSource = weakestSource(windows.map((w) => w.sources.cpu));
  const dramSource = weakestSource(windows.map((w) => w.sources.dram));
  const total = totalSource(windows);
  setPair(row, "gpu_energy_j", generation.gpuEnergyJ, gpuSource);
  setPair(row, "cpu_energy_j", generation.cpuEnergyJ, cpuSource);
  setPair(row, "dram_energy_j", generation.dramEnergyJ, dramSource);

  const totalJ = generation.totalEnergyJ;
  const dynamicJ = generation.dynamicEnergyJ;
  const seconds = generation.seconds;
  setPair(row, "energy_total_j", totalJ, total);
  setPair(row, "energy_dynamic_j", dynamicJ, total);
  setPair(row, "prefill_energy_j", prefill.totalEnergyJ, total);
  setPair(row, "decode_energy_j", decode.totalEnergyJ, total);
  setPair(row, "prefill_j_per_input_token", jPerInputToken(prefill.totalEnergyJ, tokensIn), total);
  setPair(row, "decode_j_per_output_token", decodeJPerOutputToken(decode.totalEnergyJ, tokensOut, rows), total);
  setPair(row, "j_per_output_token", jPerOutputToken(totalJ, tokensOut), total);
  if (gpuSource !== "none") {
    setPair(row, "gpu_j_per_output_token", jPerOutputToken(generation.gpuEnergyJ, tokensOut), gpuSource);
    setPair(row, "gpu_decode_j_per_output_token", decodeJPerOutputToken(decode.gpuEnergyJ, tokensOut, rows), gpuSource);
    setPair(row, "gpu_j_per_input_token", jPerInputToken(prefill.gpuEnergyJ, tokensIn), gpuSource);
  }
  setPair(row, "avg_power_w", seconds > 0 ? totalJ / seconds : null, total);
  setPair(row, "peak_power_w", peakOf([generation.peakPowerW, prefill.peakPowerW, decode.peakPowerW]), total);
  row.energy_window_s = seconds;
  repeatedPrefillColumns(row, m.repeatedPrefill ?? null);
  row.idle_share = generation.idleShare === null ? null : totalJ > 0 ? 1 - dynamicJ / totalJ : null;

  row.measurement = m.measurement ?? (m.generation ? "repeated" : "window");
  row.generations = m.generationWindow?.count ?? count;
  row.generation_window_s = m.generationWindow?.seconds ?? seconds * count;
  row.counter_updates = generation.counterUpdates ?? null;
  row.below_resolution = generation.belowResolution ?? null;
  row.prefill_counter_updates = prefill.counterUpdates ?? null;
  row.prefill_below_resolution = prefill.belowResolution ?? null;
  stateColumns(row, generation, prefill);
  // the machine's other work during the run's windows, where the meter could see it
  const busy = [generation.machineBusyShare, prefill.machineBusyShare].filter((x): x is number => typeof x === "number");
  if (busy.length) row.machine_busy_share = Math.max(...busy);

  row.gpu_energy_source = gpuSource;
  row.cpu_energy_source = cpuSource;
  row.dram_energy_source = dramSource;
  row.energy_source = `gpu:${gpuSource} cpu:${cpuSource} dram:${dramSource}`;

  if (total !== "none") {
    const carbon = m.carbon(totalJ, seconds);
    setPair(row, "gco2eq", carbon.gco2eq, total);
    row.carbon_intensity_g_per_kwh = carbon.intensityGPerKwh;
    row.carbon_source = carbon.source;
    row.carbon_zone = carbon.zone ?? null;
    row.carbon_year = carbon.year ?? null;
    row.carbon_datetime = carbon.datetime ?? null;
    row.pue = carbon.pue ?? null;
    if (carbon.embodied) {
      row.gco2eq_embodied_estimated = carbon.embodied.gco2eq;
      row.embodied_source = carbon.embodied.source;
    }
  }
  return row;
}

/** GPU temperature, SM clock and power at the first window's start and the last one's end (NVML's latest sample). */
function stateColumns(row: RunRecord, generation: WindowMeasurement, prefill: WindowMeasurement): void {
  const start = generation.gpuState?.start ?? prefill.gpuState?.start;
  const end = prefill.gpuState?.end ?? generation.gpuState?.end;
  const pick = (xs: (number | null)[], f: (...v: number[]) => number): number | null => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? f(...v) : null;
  };
  const total = (...v: number[]) => v.reduce((a, b) => a + b, 0);
  if (start?.length) {
    row.gpu_temp_start_c = pick(start.map((g) => g.temperatureC), Math.max);
    row.gpu_sm_clock_start_mhz = pick(start.map((g) => g.smClockMhz), Math.min);
    row.gpu_power_start_w = pick(start.map((g) => g.powerW), total);
  }
  if (end?.length) {
    row.gpu_temp_end_c = pick(end.map((g) => g.temperatureC), Math.max);
    row.gpu_sm_clock_end_mhz = pick(end.map((g) => g.smClockMhz), Math.min);
    row.gpu_power_end_w = pick(end.map((g) => g.powerW), total);
  }
}

/** One prefill's energy from the repeated window: its own sources decide measured vs estimated. */
function repeatedPrefillColumns(row: RunRecord, r: RepeatedPrefill | null): void {
  if (!r) return;
  const p = r.perPrefill;
  const source = totalSource([p]);
  setPair(row, "prefill_energy_repeated_j", p.totalEnergyJ, source);
  setPair(row, "prefill_j_per_input_token_repeated", r.inputTokens > 0 ? p.totalEnergyJ / r.inputTokens : null, source);
  if (p.sources.gpu !== "none") {
    setPair(row, "prefill_gpu_j_per_input_token_repeated", r.inputTokens > 0 ? p.gpuEnergyJ / r.inputTokens : null, p.sources.gpu);
  }
  row.prefill_repeats = r.count;
  row.prefill_repeated_window_s = r.window.seconds;
}

/** World average grid intensity (Ember) as shipped in @tgwf/co2 (average-intensities, WORLD): read, not retyped. */
export const WORLD_INTENSITY_G_PER_KWH: number = averageIntensity.data.WORLD;

/** Carbon at a fixed grid intensity. Units: J in, gCO2eq out. */
export function fixedIntensityCarbon(intensityGPerKwh = WORLD_INTENSITY_G_PER_KWH, label = "WORLD average (Ember 2024 via @tgwf/co2)"): (energyJ: number) => CarbonFigure {
  return (energyJ) => ({
    gco2eq: (energyJ / JOULES_PER_KWH) * intensityGPerKwh,
    intensityGPerKwh,
    source: `fixed ${intensityGPerKwh} g/kWh, ${label}`,
  });
}

/** Carbon from the meter's windows when it computed it (grid intensity resolved by the meter), else the fallback. */
export function windowCarbon(prefill: WindowMeasurement, decode: WindowMeasurement, fallback: (energyJ: number, seconds?: number) => CarbonFigure): (energyJ: number, seconds?: number) => CarbonFigure {
  const a = prefill.carbon;
  const b = decode.carbon;
  if (!a || !b) return fallback;
  const where = [a.zone, a.year].filter((x) => x !== null).join(" ");
  // the meter's grid figure; the embodied share (which needs the run's seconds) still comes from the fallback
  return (energyJ, seconds) => ({
    embodied: seconds === undefined ? null : fallback(energyJ, seconds).embodied ?? null,
    gco2eq: a.gramsCo2eq + b.gramsCo2eq,
    intensityGPerKwh: a.intensityGPerKwh,
    source: `${a.source}${where ? " " + where : ""}, ${a.intensityGPerKwh} g/kWh × PUE ${a.pue}`,
    zone: a.zone, year: a.year, datetime: null, pue: a.pue,
  });
}
