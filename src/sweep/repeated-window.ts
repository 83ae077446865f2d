// Windows long enough to measure: the same request (same prompts, same lengths, warm state) runs back to back
// inside one meter window until the window has lasted long enough for the energy counter to resolve it AND a
// minimum number of generations has run; per-generation energy, time and tokens are the window's totals divided
// by the count (optimum-benchmark's energy scenario). One mechanism for prefill (maxNewTokens 1) and whole
// generations.
//
// Why: NVML's energy counter on H100/H200 moves about every 100 ms, in steps of 30–45 J at inference power, while a
// 7B generation of 128/128 tokens lasts 0.5–0.9 s and a prefill 15–70 ms. A single window then reads the phase of the
// counter as much as the work (J/token spread across repetitions: 12% median under 0.8 s, 1.7% at 2–4 s).
//
// "Long enough": at least minUpdates updates of the slowest energy counter in use OR minSeconds, whichever comes
// first (with the meter's probed update period; minSeconds alone when the meter does not say), and at least
// minCount generations. Defaults: 20 updates or 2 s, and 3 generations. On NVML (100 ms) that is 2 s; on the CPU-time
// estimate (10 ms of CPU time per update) 0.2 s, which keeps CPU sweeps of a tiny model quick; on RAPL (~1 ms) the
// count decides.
import { performance } from "node:perf_hooks";
import type { Engine, GenerateRequest, GenerationResult } from "../engine/types.js";
import { divideWindow } from "../meter/arithmetic.js";
import { MIN_RESOLVED_UPDATES } from "../meter/resolution.js";
import type { WindowMeasurement } from "../meter/types.js";
import type { SweepMeter } from "./run.js";

export const DEFAULT_MIN_WINDOW_S = 2;
export const DEFAULT_MIN_WINDOW_UPDATES = 20;
export const DEFAULT_MIN_GENERATIONS = 3;

export interface WindowProtocol {
  /** The window lasts at least this long… Units: s. */
  minSeconds: number;
  /** …or spans at least this many updates of the slowest energy counter in use, whichever is shorter. */
  minUpdates: number;
  /** …and holds at least this many generations. */
  minCount: number;
}

export const DEFAULT_WINDOW_PROTOCOL: WindowProtocol = {
  minSeconds: DEFAULT_MIN_WINDOW_S, minUpdates: DEFAULT_MIN_WINDOW_UPDATES, minCount: DEFAULT_MIN_GENERATIONS,
};

/** Problems with a protocol, as "field: reason. Fix: …" lines (empty when sane). */
export function windowProtocolProblems(p: Partial<WindowProtocol>): string[] {
  const out: string[] = [];
  if (p.minSeconds !== undefined && !(Number.isFinite(p.minSeconds) && p.minSeconds >= 0)) out.push(`min_window_s=${p.minSeconds}: must be a number of seconds ≥ 0. Fix: set e.g. 2`);
  if (p.minUpdates !== undefined && !(Number.isInteger(p.minUpdates) && p.minUpdates >= 0)) out.push(`min_window_updates=${p.minUpdates}: must be a whole number ≥ 0. Fix: set e.g. 20`);
  if (p.minCount !== undefined && !(Number.isInteger(p.minCount) && p.minCount >= 1)) out.push(`min_generations=${p.minCount}: must be a whole number ≥ 1. Fix: set e.g. 3`);
  return out;
}

/**
 * Seconds a window must last under `protocol` on a meter whose slowest energy counter updates every `updateS`
 * (null: unknown, minSeconds decides): minSeconds or minUpdates updates, whichever is shorter — but never fewer
 * updates than the resolution needs (MIN_RESOLVED_UPDATES, or minUpdates when that is set lower on purpose), so a
 * short minSeconds meant for a CPU estimate cannot make a GPU counter's windows unresolved.
 */
export function minimumWindowS(protocol: WindowProtocol, updateS: number | null): number {
  if (updateS === null || !(updateS > 0) || protocol.minUpdates <= 0) return protocol.minSeconds;
  const floorS = Math.min(protocol.minUpdates, MIN_RESOLVED_UPDATES) * updateS;
  return Math.max(floorS, Math.min(protocol.minSeconds, protocol.minUpdates * updateS));
}

export interface RepeatedWindow {
  /** The whole window around every generation of the loop. */
  window: WindowMeasurement;
  count: number;
  /** The window divided by count: one generation's energy (GPU, CPU, DRAM, total, dynamic) and seconds. */
  per: WindowMeasurement;
  /** Every generation's own result, in order (latency percentiles come from their individual steps). */
  results: GenerationResult[];
  /** The duration the stop rule asked for. Units: s. */
  targetS: number;
}

export interface RepeatedOptions {
  protocol?: Partial<WindowProtocol>;
  /** Slowest energy counter's update period; default: the meter's resolution(), else unknown. Units: s. */
  updateS?: number | null;
  /** Elapsed-time clock for the stop rule; default performance.now. Units: s. */
  clockS?: () => number;
}

/** The slowest update period among the meter's energy counters, when it can tell. Units: s. */
export async function meterUpdateS(meter: SweepMeter): Promise<number | null> {
  try {
    const r = await meter.resolution?.();
    return r && typeof r.updateS === "number" && r.updateS > 0 ? r.updateS : null;
  } catch {
    return null;
  }
}

/**
 * Runs `request` back to back inside one meter window named `windowName` until the protocol is met, then
 * divides the window by the count. The window is aligned to the energy counter where the meter can do that.
 * If a generation throws, the window is cancelled (ended and dropped where the meter cannot cancel) and the
 * error propagates.
 */
export async function measureRepeated(
  engine: Engine, meter: SweepMeter, request: GenerateRequest, windowName: string, options: RepeatedOptions = {},
): Promise<RepeatedWindow> {
  const protocol = { ...DEFAULT_WINDOW_PROTOCOL, ...options.protocol };
  const problems = windowProtocolProblems(protocol);
  if (problems.length) throw new RangeError(`repeated window: ${problems.join("; ")}`);
  const updateS = options.updateS !== undefined ? options.updateS : await meterUpdateS(meter);
  const targetS = minimumWindowS(protocol, updateS);
  const clockS = options.clockS ?? (() => performance.now() / 1000);
  const results: GenerationResult[] = [];
  await meter.begin(windowName, { alignToCounter: true });
  let open = true;
  try {
    const t0 = clockS();
    do {
      results.push(await engine.generate(request));
    } while (results.length < protocol.minCount || clockS() - t0 < targetS);
    open = false;
    const window = await meter.end(windowName, { alignToCounter: true });
    return { window, count: results.length, per: divideWindow(window, results.length), results, targetS };
  } finally {
    if (open) {
      try { await (meter.cancel ? meter.cancel(windowName) : meter.end(windowName)); } catch { /* the loop's own error is what matters */ }
    }
  }
}
