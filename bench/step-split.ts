// Where a decode step's time goes, from Nsight Compute's kernel durations: two profiled generations of the same prompt
// that differ only in their number of new tokens (N1 < N2) differ by N2 − N1 decode steps, so the GPU's busy time per
// decode step is (their kernels' summed gpu__time_duration difference) ÷ (N2 − N1); the rest of a step's wall time
// (measured without the profiler) is the host's: sampling, scheduling, launches and the gaps between kernels.
//   node dist/bench/step-split.js ncu-N1.csv ncu-N2.csv --steps N1,N2 --wall-step-ms MS [--json]
import { readFileSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { parseCsv } from "../src/sweep/csv.js";
import { aggregate, verdict, type Aggregate, type Verdict } from "../src/util/stats.js";
import { filesUnder } from "./protocol-check.js";

const UNIT_S: Readonly<Record<string, number>> = { nsecond: 1e-9, usecond: 1e-6, msecond: 1e-3, second: 1, ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 };

/** Kernels and their summed duration in an `ncu --csv --metrics gpu__time_duration.sum` log (banner lines skipped). */
export function kernelTime(text: string): { kernels: number; seconds: number } {
  const start = text.search(/^"ID",/m);
  if (start < 0) throw new Error("step-split: no ncu CSV header (\"ID\",…) in the file; profile with ncu --csv --metrics gpu__time_duration.sum");
  const [head, ...rows] = parseCsv(text.slice(start));
  const at = (name: string) => head.indexOf(name);
  const [metric, unit, value] = [at("Metric Name"), at("Metric Unit"), at("Metric Value")];
  let kernels = 0, seconds = 0;
  for (const row of rows) {
    if (row[metric] !== "gpu__time_duration.sum") continue;
    const scale = UNIT_S[row[unit]];
    if (scale === undefined) throw new Error(`step-split: unknown time unit "${row[unit]}"`);
    kernels++;
    seconds += Number(row[value].replace(/,/g, "")) * scale;
  }
  return { kernels, seconds };
}

export interface StepSplit {
  steps: [number, number];
  kernelsPerStep: number;
  /** GPU busy time per decode step. Units: s. */
  gpuPerStepS: number;
  /** A decode step's wall time, measured without the profiler. Units: s. */
  wallPerStepS: number;
  gpuShare: number;
  /** wall − GPU: the host's part and the gaps. Units: s. */
  hostPerStepS: number;
}

export function stepSplit(a: { kernels: number; seconds: number }, b: { kernels: number; seconds: number }, steps: [number, number], wallPerStepS: number): StepSplit {
  const d = steps[1] - steps[0];
  if (!(d > 0)) throw new Error(`step-split: --steps must grow (${steps.join(", ")})`);
  const gpuPerStepS = (b.seconds - a.seconds) / d;
  return { steps, kernelsPerStep: (b.kernels - a.kernels) / d, gpuPerStepS, wallPerStepS, gpuShare: gpuPerStepS / wallPerStepS, hostPerStepS: wallPerStepS - gpuPerStepS };
}

/** The claim the split is judged on: a decode step is the GPU's when its kernels fill at least this share of its wall time. */
export const GPU_SHARE_GOAL = 0.9;

/** A pair of ncu logs in `<folder>/step-split/ncu-<new tokens>.csv[.gz]`, named for the model folder above it. */
export interface StepSplitLogs { model: string; folder: string; newTokens: [number, number]; logs: [{ kernels: number; seconds: number }, { kernels: number; seconds: number }] }

/** Every `step-split/` folder under `dir` holding two ncu logs (the smallest and largest new-token counts). */
export function readStepSplits(dir: string): StepSplitLogs[] {
  const byFolder = new Map<string, { n: number; file: string }[]>();
  for (const file of filesUnder(dir, (name) => /^ncu-\d+\.csv(\.gz)?$/.test(name))) {
    if (basename(dirname(file)) !== "step-split") continue;
    const list = byFolder.get(dirname(file)) ?? [];
    list.push({ n: Number(/ncu-(\d+)/.exec(basename(file))![1]), file });
    byFolder.set(dirname(file), list);
  }
  const out: StepSplitLogs[] = [];
  for (const [folder, list] of byFolder) {
    if (list.length < 2) continue;
    list.sort((a, b) => a.n - b.n);
    const [lo, hi] = [list[0], list[list.length - 1]];
    const read = (f: string) => kernelTime(f.endsWith(".gz") ? gunzipSync(readFileSync(f)).toString("utf8") : readFileSync(f, "utf8"));
    out.push({ model: basename(dirname(folder)), folder: relative(dir, folder), newTokens: [lo.n, hi.n], logs: [read(lo.file), read(hi.file)] });
  }
  return out;
}

export interface MeasuredSplit extends StepSplitLogs {
  /** GPU kernel time per decode step (the two logs' difference over their extra steps). Units: s. */
  gpuPerStepS: number;
  kernelsPerStep: number;
  /** Median decode step per repetition of the unprofiled cell. Units: s. */
  wallPerStepS: Aggregate;
  /** GPU kernels over wall, per repetition. */
  gpuShare: Aggregate;
  /**
   * The profiled kernels outlast the unprofiled step (the share's interval reaches above 1): ncu runs kernels one at a
   * time and flushes the caches before each (--cache-control all, its default), so its durations are upper bounds, and
   * the verdict is then "undecided" rather than a share no step can have.
   */
  profilerBound: boolean;
  goal: Verdict;
}

/** The split against the unprofiled cell's rows (their `decode_step_p50_s`); null when they hold none. */
export function measuredSplit(logs: StepSplitLogs, rows: readonly Record<string, unknown>[]): MeasuredSplit | null {
  const walls = rows.map((r) => r.decode_step_p50_s).filter((v): v is number => typeof v === "number" && v > 0);
  if (walls.length === 0) return null;
  // n new tokens are 1 from the prefill and n − 1 decode steps, so the pair differs by (n2 − n1) steps.
  const split = stepSplit(logs.logs[0], logs.logs[1], logs.newTokens, walls[0]);
  const gpuShare = aggregate(walls.map((w) => split.gpuPerStepS / w));
  const profilerBound = gpuShare.ci.high > 1;
  return { ...logs, gpuPerStepS: split.gpuPerStepS, kernelsPerStep: split.kernelsPerStep, wallPerStepS: aggregate(walls), gpuShare, profilerBound,
    goal: profilerBound ? "undecided" : verdict(gpuShare.ci, "≥", GPU_SHARE_GOAL) };
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { steps: { type: "string" }, "wall-step-ms": { type: "string" }, json: { type: "boolean" } }, allowPositionals: true });
  const steps = String(values.steps ?? "").split(",").map(Number) as [number, number];
  const wall = Number(values["wall-step-ms"]) / 1000;
  if (positionals.length !== 2 || steps.length !== 2 || !(wall > 0)) {
    console.error("usage: node dist/bench/step-split.js ncu-N1.csv ncu-N2.csv --steps N1,N2 --wall-step-ms MS [--json]");
    process.exitCode = 2;
    return;
  }
  const split = stepSplit(kernelTime(readFileSync(positionals[0], "utf8")), kernelTime(readFileSync(positionals[1], "utf8")), steps, wall);
  if (values.json) { console.log(JSON.stringify(split)); return; }
  console.log(`decode step: ${(split.wallPerStepS * 1000).toFixed(3)} ms wall, of which GPU kernels ${(split.gpuPerStepS * 1000).toFixed(3)} ms ` +
    `(${(100 * split.gpuShare).toFixed(1)}%, ${split.kernelsPerStep.toFixed(0)} kernels) and host/gaps ${(split.hostPerStepS * 1000).toFixed(3)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
