// onnxruntime's own profiler, read back per session run. Two clocks:
// - host-side (`cat: "Node"` events): the time each node's kernel call took on the host. On the CPU EP that is the
//   compute; on WebGPU it is recording and dispatching the GPU work, not GPU time.
// - GPU timestamps (`cat: "Api"`, pid/tid -1): the WebGPU EP's timestamp queries, one event per shader dispatch, named
//   `<node>&<op type>&<program>` with the program's cache key in args. Only a WebGPU EP whose adapter allows
//   timestamp queries writes them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

export interface TraceEvent {
  cat?: string;
  name?: string;
  pid?: number;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; provider?: string; cache_key?: string; [key: string]: unknown };
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

/** One WebGPU program (shader) over the runs summarised, from the GPU timestamps. */
export interface GpuProgramProfile {
  /** The program's name: its cache key up to the first `[` or `:` (MatMulNBits, FlashAttentionDecodeQKV, ...). */
  program: string;
  /** Dispatches per session run. */
  callsPerRun: number;
  /** GPU time per session run. Units: µs. */
  usPerRun: number;
  /** Share of all GPU kernel time. */
  share: number;
}

/** GPU timestamps of the runs summarised (the WebGPU EP's timestamp queries). */
export interface GpuProfile {
  /** Dispatches per run, mean; min and max across the runs (equal on decode runs of one shape). */
  dispatchesPerRun: number;
  dispatchesMin: number;
  dispatchesMax: number;
  /** GPU kernel time per run: the dispatches' durations summed. Units: µs. */
  kernelUsPerRun: number;
  /** GPU-busy span per run: the first dispatch's start to the last one's end, gaps between dispatches included. Units: µs. */
  spanUsPerRun: number;
  programs: GpuProgramProfile[];
}

/** How the GPU timestamp events were attributed to session runs (over the whole profile, not only the runs summarised). */
export interface GpuGrouping {
  /** GPU events in the profile. */
  events: number;
  /** Events before the first session run (none expected: the EP stamps a run's dispatches on that run's timeline). */
  outside: number;
  /** Splitting the events at their largest idle gaps gives the same runs as the run windows do. */
  gapsAgree: boolean;
}

export interface ProfileSummary {
  /** Session runs summarised (after the skipped ones). */
  runs: number;
  /** Mean wall time of one session run. Units: µs. */
  runMeanUs: number;
  /** Host-side kernel time per run summed over every node. Units: µs. */
  kernelUsPerRun: number;
  /** Host-side, per operator type and execution provider. */
  ops: OpProfile[];
  /** GPU timestamps; null when the profile has none (CPU EP, or no timestamp queries on this adapter/build). */
  gpu: GpuProfile | null;
  gpuGrouping: GpuGrouping | null;
}

export interface SummarizeOptions {
  /** Session runs left out at the start (warm-up: shader compiles, allocations). Default 0. */
  skipRuns?: number;
  /** Session runs summarised after the skipped ones. Default: all the rest. */
  runs?: number;
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

/** The events of a profile file, gzipped or not (`.gz`: how results/ keeps them); the error names the file when it is not one. */
export function readProfile(file: string): TraceEvent[] {
  try {
    const bytes = readFileSync(file);
    const events = JSON.parse((file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8")) as unknown;
    if (!Array.isArray(events)) throw new Error("not a JSON array of trace events");
    return events as TraceEvent[];
  } catch (error) {
    throw new Error(`${file}: not an onnxruntime profile (${(error as Error).message}); pass the file a profiled session wrote`);
  }
}

/** The program a GPU timestamp event timed: its cache key up to the first `[` or `:`, else the last `&` part of its name. */
export function gpuProgramName(event: TraceEvent): string {
  const key = typeof event.args?.cache_key === "string" ? event.args.cache_key : "";
  const program = key.split(/[[:]/)[0];
  return program || (event.name ?? "?").split("&").pop() || "?";
}

export function isGpuEvent(event: TraceEvent): boolean {
  return event.cat === "Api" && event.pid === -1;
}

/**
 * The GPU events of each session run, runs in time order. onnxruntime's WebGPU EP moves a run's GPU timestamps onto
 * the profiler's clock at that run's first submit, so a run's dispatches start after the run does and (outputs being
 * read back) end before the next run starts: each run owns the events from its start to the next run's start. The
 * grouping is checked against the clock-free one: cutting the time-ordered events at their largest idle gaps (the host
 * time between runs) into as many groups as there are runs with events.
 */
export function groupGpuEvents(runs: readonly TraceEvent[], events: readonly TraceEvent[]): { byRun: TraceEvent[][]; grouping: GpuGrouping } {
  const gpu = events.filter(isGpuEvent).sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const byRun: TraceEvent[][] = runs.map(() => []);
  const runOf: number[] = [];
  let outside = 0, r = -1;
  for (const e of gpu) {
    while (r + 1 < runs.length && (runs[r + 1].ts ?? 0) <= (e.ts ?? 0)) r++;
    runOf.push(r);
    if (r < 0) outside++;
    else byRun[r].push(e);
  }
  // the window cuts, as event indices, against the same number of cuts at the largest idle gaps
  const windowCuts = new Set<number>();
  for (let i = 1; i < gpu.length; i++) if (runOf[i] !== runOf[i - 1]) windowCuts.add(i);
  const gaps = gpu.slice(1).map((e, k) => ({ i: k + 1, gap: (e.ts ?? 0) - ((gpu[k].ts ?? 0) + (gpu[k].dur ?? 0)) }));
  const gapCuts = new Set(gaps.sort((a, b) => b.gap - a.gap).slice(0, windowCuts.size).map((g) => g.i));
  const gapsAgree = [...windowCuts].every((i) => gapCuts.has(i));
  return { byRun, grouping: { events: gpu.length, outside, gapsAgree } };
}

/** Summarises a profile, leaving out the first `skipRuns` session runs (warm-up: shader compiles, allocations). */
export function summarizeProfile(file: string, options: SummarizeOptions = {}): ProfileSummary {
  return summarizeProfileEvents(readProfile(file), options, file);
}

/** summarizeProfile on events already read (one read of a large profile for several summaries). */
export function summarizeProfileEvents(events: readonly TraceEvent[], options: SummarizeOptions = {}, source = "profile"): ProfileSummary {
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const skip = Math.min(options.skipRuns ?? 0, runs.length);
  const kept = runs.slice(skip, options.runs === undefined ? undefined : skip + options.runs);
  if (kept.length === 0) throw new Error(`${source}: no session runs left to summarise (${runs.length} recorded, ${skip} skipped)`);
  const from = kept[0].ts ?? 0;
  const next = runs[skip + kept.length];
  const until = next ? next.ts ?? 0 : Infinity;
  const byOp = new Map<string, { op: string; provider: string; calls: number; us: number }>();
  for (const e of events) {
    if (e.cat !== "Node" || !e.name?.endsWith("_kernel_time") || (e.ts ?? 0) < from || (e.ts ?? 0) >= until) continue;
    const op = e.args?.op_name ?? "?", provider = (e.args?.provider ?? "?").replace(/ExecutionProvider$/, "");
    const key = `${op}|${provider}`;
    const entry = byOp.get(key) ?? { op, provider, calls: 0, us: 0 };
    entry.calls++;
    entry.us += e.dur ?? 0;
    byOp.set(key, entry);
  }
  const totalUs = [...byOp.values()].reduce((s, o) => s + o.us, 0);
  const n = kept.length;
  const { byRun, grouping } = groupGpuEvents(runs, events);
  return {
    runs: n,
    runMeanUs: kept.reduce((s, e) => s + (e.dur ?? 0), 0) / n,
    kernelUsPerRun: totalUs / n,
    ops: [...byOp.values()].sort((a, b) => b.us - a.us)
      .map((o) => ({ op: o.op, provider: o.provider, callsPerRun: o.calls / n, usPerRun: o.us / n, share: totalUs > 0 ? o.us / totalUs : 0 })),
    gpu: grouping.events > 0 ? gpuProfile(byRun.slice(skip, skip + n)) : null,
    gpuGrouping: grouping.events > 0 ? grouping : null,
  };
}

function gpuProfile(runs: TraceEvent[][]): GpuProfile {
  const n = runs.length;
  const byProgram = new Map<string, { calls: number; us: number }>();
  let totalUs = 0, spanUs = 0;
  for (const run of runs) {
    if (run.length === 0) continue;
    let first = Infinity, last = -Infinity;
    for (const e of run) {
      const ts = e.ts ?? 0, dur = e.dur ?? 0;
      const program = gpuProgramName(e);
      const entry = byProgram.get(program) ?? { calls: 0, us: 0 };
      entry.calls++;
      entry.us += dur;
      byProgram.set(program, entry);
      totalUs += dur;
      first = Math.min(first, ts);
      last = Math.max(last, ts + dur);
    }
    spanUs += last - first;
  }
  const counts = runs.map((r) => r.length);
  return {
    dispatchesPerRun: counts.reduce((s, c) => s + c, 0) / n,
    dispatchesMin: Math.min(...counts),
    dispatchesMax: Math.max(...counts),
    kernelUsPerRun: totalUs / n,
    spanUsPerRun: spanUs / n,
    programs: [...byProgram.entries()].sort((a, b) => b[1].us - a[1].us)
      .map(([program, p]) => ({ program, callsPerRun: p.calls / n, usPerRun: p.us / n, share: totalUs > 0 ? p.us / totalUs : 0 })),
  };
}
