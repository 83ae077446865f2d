// Rows from named windows (`wattlab meter --store DIR`): each window a command closed becomes a row of the
// results store, with the standard columns where they apply, so notebooks and reports read it like any other.
//
// Marks fill columns. Marks sent while no window was open apply to every row, a window's own marks override
// them. A mark whose key is a configuration column (model, engine, device, quantization, dataset, batch_size,
// input_length, output_length, …, sweep, repetition, seed) fills it; `tokens_in`/`input_tokens` and
// `tokens_out`/`output_tokens`/`tokens` count the window's tokens; `generations=N` says the window held N
// back-to-back generations, and the row then holds one generation's share (energy, seconds and tokens ÷ N), as a
// sweep's repeated windows do. Any other mark lands in a `mark_<key>` column. `engine` defaults to "command".
import { arch, cpus, hostname, release, type as osType } from "node:os";
import type { MeterDescription } from "../meter/description.js";
import { totalSource, type IdleBaseline } from "../meter/measure.js";
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import type { NamedWindow } from "../meter/window-recorder.js";
import type { MarkValue } from "../meter/window-protocol.js";
import { jPerInputToken, jPerOutputToken, tokensPerS } from "../quantities.js";
import { gitCommit, wattlabVersion } from "../version.js";
import { stableHash } from "./hash.js";
import { RECORD_COLUMNS, type Cell, type PairedFigure, type RunRecord } from "./record.js";

/** Columns a mark may fill by its own name. */
const MARKABLE: ReadonlySet<string> = new Set([
  "sweep", "repetition", "seed", "model", "engine", "device", "quantization", "dataset", "input_length", "output_length",
  "batch_size", "fixed_length", "chat_template", "tokens_in", "tokens_out", "weight_form", "graph_form", "execution_provider",
  "backend_version", "context_length", "model_dir",
]);
const ALIASES: Readonly<Record<string, string>> = { tokens: "tokens_out", output_tokens: "tokens_out", input_tokens: "tokens_in" };

export interface WindowRowsInput {
  /** The command that named the windows (goes into the `command` column and the keys). */
  argv: readonly string[];
  windows: readonly NamedWindow[];
  /** Marks sent while no window was open: defaults for every row. */
  marks: Readonly<Record<string, MarkValue>>;
  /** Unix time of the windows' clock zero. Units: ms. */
  clockZeroMs: number;
  description: MeterDescription;
  idle: IdleBaseline | null;
}

export interface WindowRows {
  rows: RunRecord[];
  /** Windows not stored, with why (e.g. never ended). */
  skipped: string[];
}

function setPair(row: RunRecord, figure: PairedFigure, value: number | null, source: FigureSource): void {
  if (value === null || !Number.isFinite(value) || source === "none") return;
  (row as Record<string, Cell>)[`${figure}_${source === "estimated" ? "estimated" : "measured"}`] = value;
}

function metadataColumns(row: RunRecord, description: MeterDescription): void {
  const names = [...new Set(description.gpu.devices.map((d) => d.name))];
  let version: string | null = null;
  try { version = wattlabVersion(); } catch { /* outside the package */ }
  Object.assign(row, {
    gpu_model: names.length ? names.join(" + ") : null,
    gpu_driver: description.gpu.driverVersion ?? null,
    cpu_model: description.cpu.model ?? cpus()[0]?.model ?? null,
    hostname: hostname(),
    os: `${osType()} ${release()} ${arch()}`,
    node_version: process.version,
    wattlab_version: version,
    git_commit: gitCommit(),
  });
}

/** A mark's value for a column: numbers stay numbers, "true"/"false" become booleans. */
function cell(value: MarkValue): Cell {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

function count(value: Cell | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/** One row per window the command ended itself; windows never ended are left out (and listed in `skipped`). */
export function windowRows(input: WindowRowsInput): WindowRows {
  const commandHash = stableHash(input.argv).slice(0, 12);
  const rows: RunRecord[] = [];
  const skipped: string[] = [];
  input.windows.forEach((w, index) => {
    if (w.closedBy !== "end") {
      skipped.push(`window "${w.name}" was never ended`);
      return;
    }
    const startedAt = new Date(input.clockZeroMs + (w.startMs ?? 0));
    const endedAt = new Date(input.clockZeroMs + (w.endMs ?? 0));
    const row = Object.fromEntries(RECORD_COLUMNS.map((c) => [c, null])) as unknown as RunRecord;
    const extra = row as Record<string, Cell>;
    row.key = `command:${commandHash}:${startedAt.toISOString()}:${index}:${w.name}`;
    row.state = "completed";
    row.sweep = "meter";
    row.engine = "command";
    extra.command = input.argv.join(" ");
    extra.window = w.name;
    extra.window_parent = w.parent;
    const marks = { ...input.marks, ...w.marks };
    let generations = 1;
    for (const [key, value] of Object.entries(marks)) {
      const column = ALIASES[key] ?? key;
      if (column === "generations") generations = typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : 1;
      else extra[MARKABLE.has(column) ? column : `mark_${key}`] = cell(value);
    }
    metadataColumns(row, input.description);
    row.started_at = startedAt.toISOString();
    row.ended_at = endedAt.toISOString();

    // Tokens count the whole window; the row holds one generation's share of everything.
    const share = (x: number) => x / generations;
    const tokensOut = count(row.tokens_out);
    const tokensIn = count(row.tokens_in);
    row.tokens_out = tokensOut === null ? null : share(tokensOut);
    row.tokens_in = tokensIn === null ? null : share(tokensIn);
    row.latency_total_s = share(w.seconds);
    row.throughput_tokens_per_s = tokensOut === null ? null : tokensPerS(tokensOut, w.seconds);
    row.measurement = generations > 1 ? "repeated" : "window";
    row.generations = generations;
    row.generation_window_s = w.seconds;
    row.energy_window_s = share(w.seconds);
    energyColumns(row, w, share, tokensIn, tokensOut);
    row.idle_power_w = input.idle?.totalPowerW ?? null;
    row.peak_gpu_memory_mb = w.gpus.length ? w.peakGpuMemoryMb : null;
    rows.push(row);
  });
  return { rows, skipped };
}

function energyColumns(row: RunRecord, w: WindowMeasurement, share: (x: number) => number, tokensIn: number | null, tokensOut: number | null): void {
  const { gpu, cpu, dram } = w.sources;
  const total = totalSource([w]);
  setPair(row, "gpu_energy_j", share(w.gpuEnergyJ), gpu);
  setPair(row, "cpu_energy_j", share(w.cpuEnergyJ), cpu);
  setPair(row, "dram_energy_j", share(w.dramEnergyJ), dram);
  setPair(row, "energy_total_j", share(w.totalEnergyJ), total);
  setPair(row, "energy_dynamic_j", share(w.dynamicEnergyJ), total);
  setPair(row, "j_per_output_token", jPerOutputToken(w.totalEnergyJ, tokensOut), total);
  if (gpu !== "none") setPair(row, "gpu_j_per_output_token", jPerOutputToken(w.gpuEnergyJ, tokensOut), gpu);
  // A window marked with input tokens only (a prefill, say) gets the per-input-token figures.
  if (tokensOut === null) {
    setPair(row, "prefill_j_per_input_token", jPerInputToken(w.totalEnergyJ, tokensIn), total);
    if (gpu !== "none") setPair(row, "gpu_j_per_input_token", jPerInputToken(w.gpuEnergyJ, tokensIn), gpu);
  }
  setPair(row, "avg_power_w", w.avgPowerW, total);
  setPair(row, "peak_power_w", w.peakPowerW, total);
  row.idle_share = w.idleShare;
  const resolution = w as WindowMeasurement & { counterUpdates?: number | null; belowResolution?: boolean };
  row.counter_updates = resolution.counterUpdates ?? null;
  row.below_resolution = resolution.belowResolution ?? null;
  row.gpu_energy_source = gpu;
  row.cpu_energy_source = cpu;
  row.dram_energy_source = dram;
  row.energy_source = `gpu:${gpu} cpu:${cpu} dram:${dram}`;
  if (w.carbon && total !== "none") {
    setPair(row, "gco2eq", share(w.carbon.gramsCo2eq), total);
    row.carbon_intensity_g_per_kwh = w.carbon.intensityGPerKwh;
    const where = [w.carbon.zone, w.carbon.year].filter((x) => x !== null).join(" ");
    row.carbon_source = `${w.carbon.source}${where ? " " + where : ""}, ${w.carbon.intensityGPerKwh} g/kWh × PUE ${w.carbon.pue}`;
    row.carbon_zone = w.carbon.zone;
    row.carbon_year = w.carbon.year;
    row.pue = w.carbon.pue;
  }
}
