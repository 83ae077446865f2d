// Prefill energy from one meter window around repeated prefill-only generations: the prefill use of the one
// repeated-window mechanism (src/sweep/repeated-window.ts), with maxNewTokens 1.
//
// Why: NVML's energy counter ticks about every 100 ms (the CPU estimate moves in 10 ms of CPU time), while a 7B
// prefill of 128–1024 tokens lasts 20–70 ms. The run's own prefill window then reads either 0 J or one ~35 J
// quantum. Repeating the same prefill inside one window until the protocol's minimums are reached spreads the
// quantum over many prefills: prefill J = window J / count.
import type { Engine } from "../engine/types.js";
import type { WindowMeasurement } from "../meter/types.js";
import { DEFAULT_MIN_GENERATIONS, DEFAULT_MIN_WINDOW_S, DEFAULT_MIN_WINDOW_UPDATES, measureRepeated, type RepeatedWindow, type WindowProtocol } from "./repeated-window.js";
import type { SweepMeter } from "./run.js";

export { divideWindow } from "../meter/arithmetic.js";

/**
 * `repeated` (default): every recorded run is a window of back-to-back generations and one of back-to-back
 * prefills, long enough for the counter (src/sweep/repeated-window.ts). `window`: one generation with a prefill
 * window and a decode window at its hooks: sub-second on fast engines, below a GPU counter's resolution.
 */
export type PrefillEnergyMode = "window" | "repeated";
export const PREFILL_ENERGY_MODES: readonly PrefillEnergyMode[] = ["window", "repeated"];
export const DEFAULT_PREFILL_ENERGY: PrefillEnergyMode = "repeated";
/** The repeated window's minimum duration (or DEFAULT_MIN_WINDOW_UPDATES counter updates, whichever is shorter). Units: s. */
export const DEFAULT_PREFILL_MIN_S = DEFAULT_MIN_WINDOW_S;
export const DEFAULT_PREFILL_MIN_COUNT = DEFAULT_MIN_GENERATIONS;

export interface RepeatedPrefillOptions {
  /** The loop stops only once the window has lasted this long (or spans minUpdates counter updates)… Units: s. */
  minSeconds?: number;
  /** …and this many prefills have run. */
  minCount?: number;
  /** Counter updates that also satisfy the duration; default 20 (0: minSeconds alone). */
  minUpdates?: number;
  /** Slowest energy counter's update period; default: the meter's, else unknown. Units: s. */
  updateS?: number | null;
  /** Elapsed-time clock for the stop rule; default performance.now. Units: s. */
  clockS?: () => number;
}

export interface RepeatedPrefill {
  /** The whole window around every prefill of the loop. */
  window: WindowMeasurement;
  count: number;
  /** The window divided by count: one prefill's energy (GPU, CPU, DRAM, total, dynamic) and seconds. */
  perPrefill: WindowMeasurement;
  /** Real prompt tokens of one prefill (summed over the batch's rows). */
  inputTokens: number;
}

/** The loop's result as a RepeatedPrefill. */
export function asRepeatedPrefill(r: RepeatedWindow): RepeatedPrefill {
  return { window: r.window, count: r.count, perPrefill: r.per, inputTokens: r.results[r.results.length - 1].inputTokens };
}

/**
 * Runs prefill-only generations of `promptIds` inside one meter window named `windowName` until the window is long
 * enough and `minCount` prefills have run, then divides the window by the count. If a generation throws, the window
 * is cancelled (ended and dropped where the meter cannot cancel) and the error propagates.
 */
export async function measureRepeatedPrefill(
  engine: Engine, meter: SweepMeter, promptIds: number[][], windowName: string, options: RepeatedPrefillOptions = {},
): Promise<RepeatedPrefill> {
  const protocol: WindowProtocol = {
    minSeconds: options.minSeconds ?? DEFAULT_PREFILL_MIN_S,
    minCount: options.minCount ?? DEFAULT_PREFILL_MIN_COUNT,
    minUpdates: options.minUpdates ?? DEFAULT_MIN_WINDOW_UPDATES,
  };
  if (!(protocol.minSeconds >= 0) || !Number.isInteger(protocol.minCount) || protocol.minCount < 1) {
    throw new RangeError(`repeated prefill: minSeconds must be ≥ 0 and minCount an integer ≥ 1 (got ${protocol.minSeconds} s, ${protocol.minCount}); set prefill_min_s to e.g. 1`);
  }
  const r = await measureRepeated(engine, meter, { promptIds, maxNewTokens: 1, fixedLength: true }, windowName,
    { protocol, clockS: options.clockS, ...(options.updateS !== undefined ? { updateS: options.updateS } : {}) });
  return asRepeatedPrefill(r);
}
