// Issue 17's check on a GPU, in one command: the same configuration measured twice in one call, with repeated
// windows long enough for the energy counter (the protocol) and with single sub-second hook windows, then the
// J/token spread of each, and a scan of every stored row's peak power against the GPU's power limit plus the CPU's TDP.
//
//   npm run build && node dist/bench/protocol-check.js [--out DIR] [--model llama-2-7b] [--engine llama.cpp]
//     [--device cuda] [--quantization int4] [--reps 5] [--scan results]
//
// Defaults: LLaMA-2-7B's shape on llama.cpp CUDA, Q4_0, batch 1, 128 in / 128 out, 5 repetitions (the preset is built
// as a GGUF on first use). Passes (exit 0) when the protocol's GPU J/token spread (max − min over median) is ≤ 2%, and
// no row under --scan (and DIR) has a peak above the limit. On a machine without a GPU, `--model tiny --engine
// onnxruntime --device cpu --quantization fp32` runs the same steps on the CPU estimate (a smoke test: no pass/fail
// on the spread, since the estimate is not a counter).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { labSweepDeps } from "../src/lab/deps.js";
import { Meter } from "../src/meter/index.js";
import type { MeterDescription } from "../src/meter/description.js";
import { rowQuantity } from "../src/quantities.js";
import type { RunRecord } from "../src/sweep/record.js";
import { runSweep } from "../src/sweep/run.js";
import { parseSpec, defaultContextLength } from "../src/sweep/spec.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";
import { aggregate, median } from "../src/util/stats.js";

export const SPREAD_LIMIT = 0.02;

/** (max − min) / median of the values; NaN for fewer than two. */
export function relativeSpread(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite);
  if (xs.length < 2) return Number.NaN;
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}

/** Every metrics*.jsonl under `root` (recursively; node_modules and dot-folders skipped). */
export function storesUnder(root: string): string[] {
  return filesUnder(root, (name) => /^metrics.*\.jsonl$/.test(name));
}

/** Every file under `root` whose name passes `test`, in a depth-first walk (hidden folders and node_modules skipped). */
export function filesUnder(root: string, test: (name: string) => boolean): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith(".") || name === "node_modules") continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (test(name)) out.push(path);
    }
  };
  walk(root);
  return out;
}

export interface PeakViolation { file: string; key: string; peakW: number }

/** Rows whose stored peak power exceeds `limitW` (every attempt in the file, superseded ones included). */
export function peaksAbove(files: readonly string[], limitW: number): PeakViolation[] {
  const out: PeakViolation[] = [];
  for (const file of files) {
    for (const r of readResults(file).rows) {
      const peak = r.peak_power_w_measured ?? r.peak_power_w_estimated;
      if (typeof peak === "number" && peak > limitW) out.push({ file, key: r.key, peakW: peak });
    }
  }
  return out;
}

/** The GPUs' power limits plus the CPU's TDP, as the meter describes them; null where either is unknown. */
export function peakLimitW(description: MeterDescription): number | null {
  const limits = description.gpu.devices.map((d) => d.powerLimitW).filter((l): l is number => typeof l === "number");
  if (limits.length === 0 || limits.length < description.gpu.devices.length) return null;
  return limits.reduce((a, b) => a + b, 0) + (description.cpu.tdpW ?? 0);
}

const USAGE = "usage: node dist/bench/protocol-check.js [--out DIR] [--model M] [--engine E] [--device D] [--quantization Q] [--reps N] [--scan DIR] [--idle-seconds S]";

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: "string" }, model: { type: "string" }, engine: { type: "string" }, device: { type: "string" }, quantization: { type: "string" },
        reps: { type: "string" }, scan: { type: "string" }, "idle-seconds": { type: "string" }, help: { type: "boolean", short: "h" },
      },
      strict: true, allowPositionals: false,
    }));
  } catch (error) {
    console.error(`protocol-check: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) { console.log(USAGE); return; }
  const out = resolve(String(values.out ?? "results/protocol-check"));
  const reps = Number(values.reps ?? 5);
  const base = {
    model: String(values.model ?? "llama-2-7b"), engine: String(values.engine ?? "llama.cpp"), device: String(values.device ?? "cuda"),
    quantization: String(values.quantization ?? "int4"), dataset: "synthetic", input_length: 128, output_length: 128, batch_size: 1,
  };
  mkdirSync(out, { recursive: true });
  const deps = labSweepDeps();
  const measure = async (measurement: "repeated" | "window") => {
    const spec = parseSpec({ name: `protocol-check-${measurement}`, base, repetitions: reps, warmup_runs: 1, prefill_energy: measurement }, { contextLength: defaultContextLength });
    const dir = join(out, measurement);
    const started = performance.now();
    await runSweep(spec, deps, { outDir: dir, progress: true, idleSeconds: Number(values["idle-seconds"] ?? 5) });
    const rows = effectiveRows(readResults(join(dir, "metrics.jsonl")).rows).filter((r) => r.state === "completed");
    return { rows, seconds: (performance.now() - started) / 1000 };
  };
  // both in one call, the protocol first, then the single windows (same warm state, same machine)
  const repeated = await measure("repeated");
  const single = await measure("window");

  const gpu = (rows: RunRecord[]) => rows.map((r) => rowQuantity(r, "j_per_output_token", "gpu").value).filter((v): v is number => v !== null);
  const all = (rows: RunRecord[]) => rows.map((r) => rowQuantity(r, "j_per_output_token", "all").value).filter((v): v is number => v !== null);
  const onGpu = gpu(repeated.rows).length > 0;
  const figures = (rows: RunRecord[]) => (onGpu ? gpu(rows) : all(rows));
  const line = (label: string, r: { rows: RunRecord[]; seconds: number }) => {
    const xs = figures(r.rows);
    const a = aggregate(xs);
    const flagged = r.rows.filter((row) => row.below_resolution === true).length;
    return `${label}: ${xs.length} rows, ${onGpu ? "GPU " : ""}J/token ${xs.map((x) => x.toFixed(4)).join(", ")}; mean ${a.mean.toFixed(4)} [${a.ci.low.toFixed(4)}, ${a.ci.high.toFixed(4)}]; ` +
      `spread (max − min)/median ${(100 * relativeSpread(xs)).toFixed(2)}%; windows ${r.rows.map((row) => Number(row.generation_window_s).toFixed(2)).join("/")} s; ` +
      `${flagged} below resolution; ${r.seconds.toFixed(0)} s`;
  };
  const report: string[] = [
    `configuration: ${JSON.stringify(base)}, ${reps} repetitions`,
    line("repeated windows (protocol)", repeated),
    line("single windows", single),
  ];
  const spreadRepeated = relativeSpread(figures(repeated.rows));
  const spreadSingle = relativeSpread(figures(single.rows));

  let description: MeterDescription | null = null;
  try {
    const meter = await Meter.open({ gpus: "visible", cpu: "auto", probeMs: 0 });
    description = meter.describe();
    await meter.close();
  } catch (error) {
    report.push(`meter: ${(error as Error).message}`);
  }
  const limit = description ? peakLimitW(description) : null;
  const scanRoot = resolve(String(values.scan ?? "results"));
  const files = [...new Set([...storesUnder(scanRoot), ...storesUnder(out)])];
  const violations = limit === null ? [] : peaksAbove(files, limit);
  report.push(limit === null
    ? `peaks: no GPU power limit known here; not checked (${files.length} stores found)`
    : `peaks: ${files.length} stores under ${scanRoot} and ${out}; limit ${limit.toFixed(0)} W (GPU power limit + CPU TDP): ${violations.length} rows above it` +
      (violations.length ? `\n  ${violations.slice(0, 20).map((v) => `${v.file} ${v.key}: ${v.peakW.toFixed(0)} W`).join("\n  ")}` : ""));

  const spreadOk = spreadRepeated <= SPREAD_LIMIT;
  const pass = onGpu ? spreadOk && violations.length === 0 : violations.length === 0;
  report.push(onGpu
    ? `verdict: protocol spread ${(100 * spreadRepeated).toFixed(2)}% (limit ${100 * SPREAD_LIMIT}%) against ${(100 * spreadSingle).toFixed(2)}% for single windows: ${pass ? "PASS" : "FAIL"}`
    : `verdict: no GPU counter in these rows (a smoke test on the CPU estimate); peaks ${violations.length === 0 ? "ok" : "above the limit"}`);
  writeFileSync(join(out, "check.txt"), report.join("\n") + "\n");
  console.log(report.join("\n"));
  console.log(`written: ${join(out, "check.txt")}`);
  if (!pass) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
