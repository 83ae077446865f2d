// onnxruntime's own profiler, read back: per operator type, the time its kernels took per session run, and how
// much of each run the kernels cover. The times are host-side: on the CPU EP that is the compute; on WebGPU it
// is recording and dispatching the GPU work, so kernel time close to the run's wall time means a dispatch-bound
// step, and a small share means the run waits on the GPU.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

interface TraceEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

export interface OpProfile {
  op: string;
  provider: string;
  /** Kernel launches per session run. */
  callsPerRun: number;
  /** Kernel time per session run. Units: µs. */
  usPerRun: number;
  /** Share of all kernel time. */
  share: number;
}

export interface ProfileSummary {
  /** Session runs summarised (after the skipped ones). */
  runs: number;
  /** Mean wall time of one session run. Units: µs. */
  runMeanUs: number;
  /** Kernel time per run summed over every node. Units: µs. */
  kernelUsPerRun: number;
  ops: OpProfile[];
}

/** The profile file onnxruntime wrote for `prefix` (`<prefix>_<date>.json`), the newest if several. */
export function findProfileFile(prefix: string): string | null {
  const dir = dirname(prefix), stem = basename(prefix) + "_";
  let best: { file: string; mtime: number } | null = null;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(stem) || !name.endsWith(".json")) continue;
    const file = join(dir, name), mtime = statSync(file).mtimeMs;
    if (!best || mtime > best.mtime) best = { file, mtime };
  }
  return best?.file ?? null;
}

/** Summarises a profile, leaving out the first `skipRuns` session runs (warm-up: shader compiles, allocations). */
export function summarizeProfile(file: string, options: { skipRuns?: number } = {}): ProfileSummary {
  let events: TraceEvent[];
  try {
    events = JSON.parse(readFileSync(file, "utf8")) as TraceEvent[];
  } catch (error) {
    throw new Error(`${file}: not an onnxruntime profile (${(error as Error).message}); pass the file a profiled session wrote`);
  }
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const skip = Math.min(options.skipRuns ?? 0, runs.length);
  const kept = runs.slice(skip);
  if (kept.length === 0) throw new Error(`${file}: no session runs left to summarise (${runs.length} recorded, ${skip} skipped)`);
  const from = kept[0]!.ts ?? 0;
  const byOp = new Map<string, { op: string; provider: string; calls: number; us: number }>();
  for (const e of events) {
    if (e.cat !== "Node" || !e.name?.endsWith("_kernel_time") || (e.ts ?? 0) < from) continue;
    const op = e.args?.op_name ?? "?", provider = (e.args?.provider ?? "?").replace(/ExecutionProvider$/, "");
    const key = `${op}|${provider}`;
    const entry = byOp.get(key) ?? { op, provider, calls: 0, us: 0 };
    entry.calls++;
    entry.us += e.dur ?? 0;
    byOp.set(key, entry);
  }
  const totalUs = [...byOp.values()].reduce((s, o) => s + o.us, 0);
  const n = kept.length;
  return {
    runs: n,
    runMeanUs: kept.reduce((s, e) => s + (e.dur ?? 0), 0) / n,
    kernelUsPerRun: totalUs / n,
    ops: [...byOp.values()].sort((a, b) => b.us - a.us)
      .map((o) => ({ op: o.op, provider: o.provider, callsPerRun: o.calls / n, usPerRun: o.us / n, share: totalUs > 0 ? o.us / totalUs : 0 })),
  };
}
