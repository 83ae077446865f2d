// A run's row built from its parts: the context every row carries (configuration, engine, model, machine,
// protocol), a crash's error, or a completed run's timings, energy by device and phase, windows and carbon.
// The columns and the measured/estimated pairs are defined in src/sweep/record.ts.
import type { GenerationResult } from "../engine/types.js";
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import type { RepeatedPrefill } from "./prefill-energy.js";
import { addWindows } from "../meter/arithmetic.js";
import { totalSource, weakestSource } from "../meter/measure.js";
import { percentiles } from "../util/stats.js";
import {
  decodeJPerOutputToken, decodeTokensPerS, jPerInputToken, jPerOutputToken, tokensPerS,
} from "../quantities.js";
import { configColumns } from "./dimensions.js";
import { emptyRecord, setPair, type RecordContext, type RunMeasurements, type RunRecord } from "./record.js";
import { carbonColumns } from "./record-carbon.js";

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
    row.flash_attention = info.flashAttention ?? null;
    row.cpu_threads = info.threads ?? null;
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
  const tokens = timingColumns(row, results, m.result.outputIds.length);
  const gpuSeen = prefill.gpus.length > 0 || decode.gpus.length > 0 || generation.gpus.length > 0;
  row.peak_gpu_memory_mb = gpuSeen ? Math.max(prefill.peakGpuMemoryMb, decode.peakGpuMemoryMb, generation.peakGpuMemoryMb) : null;
  const total = energyColumns(row, { generation, prefill, decode }, tokens);
  repeatedPrefillColumns(row, m.repeatedPrefill ?? null);
  windowColumns(row, m, { generation, prefill }, results.length);
  stateColumns(row, generation, prefill);
  if (total !== "none") carbonColumns(row, m.carbon(generation.totalEnergyJ, generation.seconds), total);
  return row;
}

/** One generation's tokens: how many went in and came out, and the batch's rows. */
interface TokenCounts {
  tokensIn: number;
  tokensOut: number;
  rows: number;
}

/** Latency, decode-step percentiles, tokens and throughput, and peak RSS: the mean over the window's generations. */
function timingColumns(row: RunRecord, results: readonly GenerationResult[], rows: number): TokenCounts {
  const count = results.length;
  const mean = (f: (r: GenerationResult) => number) => results.reduce((s, r) => s + f(r), 0) / count;
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
  return { tokensIn, tokensOut, rows };
}

interface RunWindows {
  generation: WindowMeasurement;
  prefill: WindowMeasurement;
  decode: WindowMeasurement;
}

/** Energy by device, phase and token, power and idle share, each measured or estimated as its sources are, and the
 * sources themselves; returns the total's source (which decides the carbon columns). */
function energyColumns(row: RunRecord, { generation, prefill, decode }: RunWindows, { tokensIn, tokensOut, rows }: TokenCounts): FigureSource {
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
  row.idle_share = generation.idleShare === null ? null : totalJ > 0 ? 1 - dynamicJ / totalJ : null;

  row.gpu_energy_source = gpuSource;
  row.cpu_energy_source = cpuSource;
  row.dram_energy_source = dramSource;
  row.energy_source = `gpu:${gpuSource} cpu:${cpuSource} dram:${dramSource}`;
  return total;
}

/** How the run was measured and what its windows resolved: mode, generations, counter updates, the machine's other work. */
function windowColumns(row: RunRecord, m: RunMeasurements, { generation, prefill }: Omit<RunWindows, "decode">, count: number): void {
  row.measurement = m.measurement ?? (m.generation ? "repeated" : "window");
  row.generations = m.generationWindow?.count ?? count;
  row.generation_window_s = m.generationWindow?.seconds ?? generation.seconds * count;
  row.counter_updates = generation.counterUpdates ?? null;
  row.below_resolution = generation.belowResolution ?? null;
  row.prefill_counter_updates = prefill.counterUpdates ?? null;
  row.prefill_below_resolution = prefill.belowResolution ?? null;
  // the machine's other work during the run's windows, where the meter could see it
  const busy = [generation.machineBusyShare, prefill.machineBusyShare].filter((x): x is number => typeof x === "number");
  if (busy.length) row.machine_busy_share = Math.max(...busy);
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
