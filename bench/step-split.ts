// Where a decode step's time goes, from Nsight Compute's kernel durations: two profiled generations of the same prompt
// that differ only in their number of new tokens (N1 < N2) differ by N2 − N1 decode steps, so the GPU's busy time per
// decode step is (their kernels' summed gpu__time_duration difference) ÷ (N2 − N1); the rest of a step's wall time
// (measured without the profiler) is the host's: sampling, scheduling, launches and the gaps between kernels.
//   node dist/bench/step-split.js ncu-N1.csv ncu-N2.csv --steps N1,N2 --wall-step-ms MS [--json]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseCsv } from "../src/sweep/csv.js";

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
