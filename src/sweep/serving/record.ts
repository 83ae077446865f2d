// One serving row per load level: what was sent, latency percentiles, goodput, and the steady-state window's energy.
// As in the generation rows (src/sweep/record.ts), every energy-derived figure comes as `<name>_measured` /
// `<name>_estimated` and exactly one is filled (or neither), so an estimate never passes for a measurement.
import type { LoadRun, LoadSummary } from "../../load/index.js";
import type { WindowMeasurement } from "../../meter/types.js";
import type { DatasetName } from "../../data/names.js";
import { median } from "../../util/stats.js";
import type { Cell, CarbonFigure, RunMetadata } from "../record.js";
import type { PlannedServingRun, ServingSpec } from "./spec.js";

/** Per-request energy: how the steady window's energy is shared among requests (LoadSummary.requestEnergyJ). */
export const REQUEST_ENERGY_RULE = "steady-window energy × the request's share of the output tokens generated inside the window";

const PAIRED = ["energy_total_j", "energy_dynamic_j", "j_per_output_token", "j_per_output_token_dynamic", "avg_power_w", "gco2eq"] as const;

export const SERVING_COLUMNS = [
  "key", "state", "error_name", "error_message", "sweep", "repetition", "seed",
  "endpoint", "served_model", "server_model_card", "tokenizer", "engine", "dataset", "dataset_requested", "dataset_used", "dataset_note",
  "input_length", "output_length", "load", "concurrency", "request_rate_per_s", "num_requests", "duration_s", "chat", "ignore_eos", "prompt_form", "warmup_requests",
  "requests", "requests_completed", "requests_failed", "failure_reasons", "tokens_out", "token_count_source",
  "ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "itl_p50_s", "itl_p99_s", "tpot_p50_s", "tpot_p99_s", "e2e_p50_s", "e2e_p99_s",
  "wall_s", "requests_per_s", "steady_start_s", "steady_s", "steady_reason", "steady_output_tokens", "output_tokens_per_s",
  "slo_ttft_s", "slo_tpot_s", "good_requests", "goodput_share", "goodput_requests_per_s",
  ...PAIRED.flatMap((f) => [`${f}_measured`, `${f}_estimated`]),
  "gpu_energy_j", "gpu_j_per_output_token", "cpu_energy_j", "energy_source", "gpu_energy_source", "cpu_energy_source",
  "request_energy_j_p50", "request_energy_j_max", "request_energy_j_sum", "request_energy_rule",
  "counter_updates", "below_resolution", "idle_power_w", "peak_power_w", "peak_gpu_memory_mb", "machine_busy_share",
  "carbon_intensity_g_per_kwh", "carbon_source", "carbon_zone",
  "gpu_model", "gpu_driver", "cpu_model", "hostname", "os", "node_version", "wattlab_version", "git_commit",
  "started_at", "ended_at",
] as const;

export type ServingColumn = (typeof SERVING_COLUMNS)[number];
export type ServingRecord = { [C in ServingColumn]: Cell } & { key: string; state: "completed" | "failed" };

export interface ServingContext {
  spec: ServingSpec;
  run: PlannedServingRun;
  datasetUsed: DatasetName;
  datasetNote: string | null;
  metadata: RunMetadata;
  idlePowerW: number | null;
  startedAt: Date;
  endedAt: Date;
  /** The server's GET /v1/models entry for the model (JSON text), or null where it has none. */
  serverModelCard: string | null;
}

function emptyRow(c: ServingContext): ServingRecord {
  const row = Object.fromEntries(SERVING_COLUMNS.map((k) => [k, null])) as ServingRecord;
  const { spec, run } = c;
  Object.assign(row, {
    key: run.key, sweep: spec.name, repetition: run.repetition, seed: spec.seed,
    endpoint: spec.endpoint, served_model: spec.servedModel, server_model_card: c.serverModelCard, tokenizer: spec.tokenizer, engine: "openai",
    dataset: spec.dataset, dataset_requested: spec.dataset, dataset_used: c.datasetUsed, dataset_note: c.datasetNote,
    input_length: run.config.inputLength, output_length: run.config.outputLength, load: run.config.load,
    concurrency: run.config.concurrency, request_rate_per_s: run.config.requestRatePerS, num_requests: run.config.numRequests,
    duration_s: spec.durationS, chat: spec.chat, ignore_eos: spec.ignoreEos, prompt_form: spec.promptForm,
    slo_ttft_s: spec.slo.ttftS, slo_tpot_s: spec.slo.tpotS, idle_power_w: c.idlePowerW,
    ...c.metadata, started_at: c.startedAt.toISOString(), ended_at: c.endedAt.toISOString(),
  });
  return row;
}

export function failedServingRecord(c: ServingContext, error: unknown): ServingRecord {
  const row = emptyRow(c);
  row.state = "failed";
  const e = error as Error;
  row.error_name = e?.name ?? "Error";
  row.error_message = String(e?.message ?? error).split("\n")[0];
  return row;
}

/** Sets `<name>_measured` or `<name>_estimated`. */
function paired(row: ServingRecord, name: (typeof PAIRED)[number], value: number | null, estimated: boolean): void {
  (row as Record<string, Cell>)[`${name}_${estimated ? "estimated" : "measured"}`] = value;
}

/** A completed level: the load's summary, and the steady window's energy where one was taken. */
export function completedServingRecord(c: ServingContext, load: LoadRun, s: LoadSummary, window: WindowMeasurement | null,
  carbon: CarbonFigure | null): ServingRecord {
  const row = emptyRow(c);
  const sources = load.records.filter((r) => r.ok).map((r) => r.tokenCountSource);
  Object.assign(row, {
    state: "completed", requests: s.requests, requests_completed: s.completed, requests_failed: s.failed,
    failure_reasons: s.failed > 0 ? JSON.stringify(s.failureReasons) : null,
    tokens_out: load.records.reduce((sum, r) => sum + r.outputTokens, 0),
    token_count_source: sources.length === 0 ? null : sources.every((x) => x === "usage") ? "usage" : sources.every((x) => x === "stream") ? "stream" : "mixed",
    ttft_p50_s: s.ttftP50S, ttft_p90_s: s.ttftP90S, ttft_p99_s: s.ttftP99S, itl_p50_s: s.itlP50S, itl_p99_s: s.itlP99S,
    tpot_p50_s: s.tpotP50S, tpot_p99_s: s.tpotP99S, e2e_p50_s: s.e2eP50S, e2e_p99_s: s.e2eP99S,
    wall_s: s.wallS, requests_per_s: s.requestsPerS, steady_start_s: s.steadyStartS, steady_s: s.steadySeconds, steady_reason: s.steadyReason,
    steady_output_tokens: s.steadyOutputTokens, output_tokens_per_s: s.outputTokensPerS,
    good_requests: s.goodRequests, goodput_share: s.goodputShare, goodput_requests_per_s: s.goodputRequestsPerS,
  });
  if (!window) return row;
  const estimated = [window.sources.gpu, window.sources.cpu, window.sources.dram].includes("estimated");
  const tokens = s.steadyOutputTokens;
  const perToken = (j: number) => (tokens && tokens > 0 ? j / tokens : null);
  paired(row, "energy_total_j", window.totalEnergyJ, estimated);
  paired(row, "energy_dynamic_j", window.dynamicEnergyJ, estimated);
  paired(row, "j_per_output_token", s.jPerOutputToken, estimated);
  paired(row, "j_per_output_token_dynamic", perToken(window.dynamicEnergyJ), estimated);
  paired(row, "avg_power_w", s.avgPowerW, estimated);
  if (carbon) paired(row, "gco2eq", carbon.gco2eq, estimated);
  const shares = s.requestEnergyJ ?? [];
  Object.assign(row, {
    gpu_energy_j: window.gpus.length > 0 ? window.gpuEnergyJ : null, gpu_j_per_output_token: window.gpus.length > 0 ? perToken(window.gpuEnergyJ) : null,
    cpu_energy_j: window.cpuEnergyJ, energy_source: estimated ? "estimated" : "measured",
    gpu_energy_source: window.sources.gpu, cpu_energy_source: window.sources.cpu,
    request_energy_j_p50: shares.length ? median(shares) : null, request_energy_j_max: shares.length ? Math.max(...shares) : null,
    request_energy_j_sum: shares.length ? shares.reduce((a, b) => a + b, 0) : null, request_energy_rule: REQUEST_ENERGY_RULE,
    counter_updates: window.counterUpdates ?? null, below_resolution: window.belowResolution ?? null,
    peak_power_w: window.peakPowerW, peak_gpu_memory_mb: window.peakGpuMemoryMb, machine_busy_share: window.machineBusyShare ?? null,
    carbon_intensity_g_per_kwh: carbon?.intensityGPerKwh ?? null, carbon_source: carbon?.source ?? null, carbon_zone: carbon?.zone ?? null,
  });
  return row;
}
