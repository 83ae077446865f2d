// wattlab meter -- <command…>: what any command costs, like codecarbon's monitor, with the windows the command
// names on $WATTLAB_WINDOW_FD.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { meterCommand as measureCommand, pythonWindowHelperPath, type MeterCommandResult, type NamedWindow } from "../../meter/index.js";
import { MIN_RESOLVED_UPDATES } from "../../meter/resolution.js";
import type { WindowMeasurement } from "../../meter/types.js";
import { exportCsv, ResultStore } from "../../sweep/store.js";
import { windowRows } from "../../sweep/window-rows.js";
import { alignedLines } from "../../util/text-table.js";
import { get, UsageError, type CommandSpec } from "../args.js";
import { carbonReportLines, effectiveCarbon, EMBODIED_OPTIONS, GRID_OPTIONS, meterCarbon } from "../carbon-options.js";

/** Windows listed in the text output; --json lists all. */
const TEXT_WINDOW_LIMIT = 200;

export const meterCommand: CommandSpec = {
  name: "meter",
  summary: "measure the energy of any command, and of the windows it names",
  usage: "wattlab meter [--gpus 0,1] [--idle-seconds S] [--json] [--store DIR] -- <command…>   |   wattlab meter --print-python-helper",
  options: [
    { name: "gpus", kind: "list", help: "NVML indices to count, or none (default: the visible GPUs)" },
    { name: "idle-seconds", kind: "number", min: 0, help: "idle baseline before the command (0: none)", default: 0 },
    { name: "sample-ms", kind: "number", min: 1, help: "power sampling period", default: 100 },
    { name: "cpu-tdp-w", kind: "number", above: 0, help: "CPU TDP for the estimate when RAPL is unreadable" },
    ...GRID_OPTIONS,
    ...EMBODIED_OPTIONS,
    { name: "json", kind: "boolean", help: "print the measurement as JSON" },
    { name: "store", kind: "string", help: "append each window the command ends to DIR/metrics.jsonl (and DIR/metrics.csv) as a result row" },
    { name: "windows", kind: "boolean", help: "give the command a pipe for named windows ($WATTLAB_WINDOW_FD); --no-windows: none", default: true },
    { name: "print-python-helper", kind: "boolean", help: "print wattlab_window.py (Python: `with window(\"decode\"):`) and exit" },
  ],
  positionals: true,
  async run(parsed) {
    if (get.boolean(parsed, "print-python-helper")) {
      process.stdout.write(readFileSync(pythonWindowHelperPath(), "utf8"));
      return;
    }
    const argv = [...parsed.positionals, ...parsed.rest];
    if (argv.length === 0) throw new UsageError("wattlab meter: name a command after --, e.g. wattlab meter -- node bench.js");
    const carbonSetting = effectiveCarbon(parsed, "meter");
    const carbon = meterCarbon(carbonSetting, "meter");
    const gpuList = get.list(parsed, "gpus");
    const gpus = gpuList.length === 0 ? "visible" : gpuList.length === 1 && gpuList[0] === "none" ? "none" : gpuList.map(Number);
    const r = await measureCommand(argv, {
      gpus, idleSeconds: get.number(parsed, "idle-seconds") || undefined,
      sampleMs: get.number(parsed, "sample-ms"), cpuTdpW: get.number(parsed, "cpu-tdp-w"),
      carbon,
      stdio: get.boolean(parsed, "json") ? ["inherit", "inherit", "inherit"] : "inherit",
      windows: parsed.options.windows !== false,
    });
    const m = r.measurement;
    if (get.boolean(parsed, "json")) {
      const named = r.windowsUsed ? { windows: r.windows, marks: r.marks, windowWarnings: r.windowWarnings } : {};
      console.log(JSON.stringify({ argv: r.argv, exitCode: r.exitCode, signal: r.signal, measurement: m, idle: r.idle, ...named }, null, 2));
    } else {
      const est = (s: string) => (s === "estimated" ? " (ESTIMATED)" : "");
      console.error([
        `wattlab meter: ${argv.join(" ")} → exit ${r.exitCode ?? r.signal}`,
        `  time        ${m.seconds.toFixed(3)} s`,
        // without a measured baseline the dynamic figure would only repeat the total
        `  energy      ${m.totalEnergyJ.toFixed(2)} J total, ${r.idle ? `${m.dynamicEnergyJ.toFixed(2)} J above idle` : "no idle baseline (--idle-seconds S measures one first)"}`,
        `  gpu         ${m.gpuEnergyJ.toFixed(2)} J [${m.sources.gpu}]${m.gpus.map((g) => ` gpu${g.index}=${g.energyJ.toFixed(2)} J`).join("")}`,
        `  cpu         ${m.cpuEnergyJ.toFixed(2)} J [${m.sources.cpu}]${est(m.sources.cpu)}`,
        `  dram        ${m.dramEnergyJ.toFixed(2)} J [${m.sources.dram}]${est(m.sources.dram)}`,
        `  power       ${m.avgPowerW.toFixed(1)} W average, ${m.peakPowerW === null ? "no power sample inside for a" : m.peakPowerW.toFixed(1) + " W"} peak`,
        `  resolution  ${resolutionText(m)}`,
        ...carbonReportLines(m.carbon, carbonSetting, m.seconds).map((line) => `  carbon      ${line}`),
        ...(r.windowsUsed ? formatNamedWindows(r) : []),
      ].join("\n"));
    }
    // After the report, so a store that cannot be written never hides the measurement.
    const storeDir = get.string(parsed, "store");
    if (storeDir) console.error(storeWindows(storeDir, r));
    process.exitCode = r.exitCode ?? 1;
  },
};

/** Appends the windows' rows to DIR/metrics.jsonl and rewrites the CSV beside it; returns what to say. */
function storeWindows(dir: string, r: MeterCommandResult): string {
  const { rows, skipped } = windowRows({ argv: r.argv, windows: r.windows, marks: r.marks, clockZeroMs: r.clockZeroMs, description: r.description, idle: r.idle });
  const path = join(dir, "metrics.jsonl");
  const store = ResultStore.open(path);
  try {
    for (const row of rows) store.append(row);
  } finally {
    store.close();
  }
  if (rows.length > 0) exportCsv(path, join(dir, "metrics.csv"));
  const left = skipped.length ? `; not stored: ${skipped.join(", ")}` : "";
  return rows.length > 0 || skipped.length > 0
    ? `wattlab meter: stored ${rows.length} window row${rows.length === 1 ? "" : "s"} in ${path}${left}`
    : `wattlab meter: the command ended no window, so nothing was stored in ${path} (name windows with $WATTLAB_WINDOW_FD; see --print-python-helper)`;
}

/** How many updates of the slowest energy counter a window spans, and whether that is too few to read as a figure. */
function resolutionText(w: WindowMeasurement): string {
  if (w.counterUpdates === undefined || w.counterUpdates === null) return "unknown: the meter could not tell how often its energy counters update";
  const spanned = `${updatesOf(w.counterUpdates)} updates of the slowest energy counter`;
  return w.belowResolution
    ? `${spanned}: BELOW its resolution (fewer than ${MIN_RESOLVED_UPDATES}), so these figures read the counter's steps as much as the work; meter a longer run, or repeat the work inside one window`
    : spanned;
}

const updatesOf = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));

function sourcesOf(w: WindowMeasurement): string {
  return `gpu:${w.sources.gpu} cpu:${w.sources.cpu} dram:${w.sources.dram}`;
}

function marksOf(marks: Record<string, string | number>): string {
  return Object.entries(marks).map(([key, value]) => `${key}=${typeof value === "string" && /[\s"]/.test(value) ? JSON.stringify(value) : value}`).join(" ");
}

/** The windows as an aligned table (nested ones indented under their parent), then marks and warnings. */
export function formatNamedWindows(r: Pick<MeterCommandResult, "measurement" | "windows" | "marks" | "windowWarnings">): string[] {
  const m = r.measurement;
  const lines: string[] = [];
  if (r.windows.length > 0) {
    const gpuIndices = m.gpus.map((g) => g.index);
    const depth = new Map<string, number>();
    const shown = r.windows.slice(0, TEXT_WINDOW_LIMIT);
    const header = ["name", "seconds", "energy J", ...gpuIndices.map((i) => `gpu${i} J`), "cpu J", "dram J", "avg W", "updates", "sources", "marks"];
    const rows = shown.map((w: NamedWindow) => {
      const level = w.parent === null ? 0 : (depth.get(w.parent) ?? 0) + 1;
      depth.set(w.name, level);
      const energyOf = (i: number) => w.gpus.find((g) => g.index === i)?.energyJ ?? 0;
      return [
        `${"  ".repeat(level)}${w.name}${w.closedBy === "exit" ? " (never ended)" : ""}`,
        w.seconds.toFixed(3), w.totalEnergyJ.toFixed(3), ...gpuIndices.map((i) => energyOf(i).toFixed(3)),
        w.cpuEnergyJ.toFixed(3), w.dramEnergyJ.toFixed(3), w.avgPowerW.toFixed(1),
        w.counterUpdates === undefined || w.counterUpdates === null ? "?" : `${w.belowResolution ? "BELOW " : ""}${updatesOf(w.counterUpdates)}`,
        sourcesOf(w), marksOf(w.marks),
      ];
    });
    // the figures right-aligned; the name, sources and marks left
    const right = new Set(header.map((_, c) => c).filter((c) => c > 0 && c < header.length - 2));
    lines.push(`  windows     ${r.windows.length} named by the command, in the order they began (nested ones indented)`, ...alignedLines(header, rows, { indent: "    ", right }));
    if (r.windows.length > shown.length) lines.push(`    … ${r.windows.length - shown.length} more (--json lists every window)`);
    const below = r.windows.filter((w) => w.belowResolution).length;
    if (below > 0) {
      lines.push(`    updates: of the slowest energy counter; BELOW (${below} window${below === 1 ? "" : "s"}): fewer than ${MIN_RESOLVED_UPDATES}, the figures read the counter's steps as much as the work (repeat the work inside one window)`);
    }
  } else {
    lines.push("  windows     none measured");
  }
  if (Object.keys(r.marks).length > 0) lines.push(`  marks       ${marksOf(r.marks)}`);
  if (r.windowWarnings.length > 0) lines.push(`  warnings    ${r.windowWarnings.length} about the window lines`, ...r.windowWarnings.map((w) => `    ${w}`));
  return lines;
}
