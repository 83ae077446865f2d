// Prefill energy from one meter window around repeated prefill-only generations.
//
// Why: NVML's energy counter ticks about every 100 ms (the CPU estimate samples /proc/stat at the same
// rate), while a 7B prefill of 128–1024 tokens lasts 20–70 ms. The run's own prefill window then reads
// either 0 J or one ~35 J quantum. Repeating the same prefill (`maxNewTokens: 1`) inside one window until
// both a minimum duration and a minimum count are reached (optimum-benchmark's energy scenario) spreads
// the quantum over many prefills: prefill J = window J / count.
import { performance } from "node:perf_hooks";
import type { Engine, GenerationResult } from "../engine/types.js";
import type { WindowMeasurement } from "../meter/types.js";
import type { SweepMeter } from "./run.js";

/** `window`: the run's own prefill window only. `repeated`: also the repeated-prefill loop after the run. */
export type PrefillEnergyMode = "window" | "repeated";
export const PREFILL_ENERGY_MODES: readonly PrefillEnergyMode[] = ["window", "repeated"];
export const DEFAULT_PREFILL_ENERGY: PrefillEnergyMode = "repeated";
/** Ten counter ticks of 100 ms: the tick quantum is at most ~10% of the window. Units: s. */
export const DEFAULT_PREFILL_MIN_S = 1.0;
export const DEFAULT_PREFILL_MIN_COUNT = 3;

export interface RepeatedPrefillOptions {
  /** The loop stops only once the window has lasted this long… Units: s. */
  minSeconds?: number;
  /** …and this many prefills have run. */
  minCount?: number;
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

/**
 * A window scaled to one of `count` equal repetitions: energies and seconds divide, powers and shares
 * (ratios of the same totals) stay, peaks stay (they are peaks of any one repetition too).
 */
export function divideWindow(w: WindowMeasurement, count: number): WindowMeasurement {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`divideWindow: count must be a positive integer, got ${count}`);
  return {
    ...w,
    seconds: w.seconds / count,
    gpus: w.gpus.map((g) => ({ ...g, energyJ: g.energyJ / count })),
    gpuEnergyJ: w.gpuEnergyJ / count,
    cpuEnergyJ: w.cpuEnergyJ / count,
    dramEnergyJ: w.dramEnergyJ / count,
    totalEnergyJ: w.totalEnergyJ / count,
    dynamicEnergyJ: w.dynamicEnergyJ / count,
    ...(w.idleEnergyJ !== undefined ? { idleEnergyJ: w.idleEnergyJ === null ? null : w.idleEnergyJ / count } : {}),
    ...(w.carbon ? { carbon: { ...w.carbon, gramsCo2eq: w.carbon.gramsCo2eq / count } } : {}),
  };
}

/**
 * Runs prefill-only generations of `promptIds` inside one meter window named `windowName` until at least
 * `minSeconds` have passed and `minCount` prefills have run, then divides the window by the count.
 * If a generation throws, the window is cancelled (ended and dropped where the meter cannot cancel) and
 * the error propagates.
 */
export async function measureRepeatedPrefill(
  engine: Engine, meter: SweepMeter, promptIds: number[][], windowName: string, options: RepeatedPrefillOptions = {},
): Promise<RepeatedPrefill> {
  const minSeconds = options.minSeconds ?? DEFAULT_PREFILL_MIN_S;
  const minCount = options.minCount ?? DEFAULT_PREFILL_MIN_COUNT;
  if (!(minSeconds >= 0) || !Number.isInteger(minCount) || minCount < 1) {
    throw new RangeError(`repeated prefill: minSeconds must be ≥ 0 and minCount an integer ≥ 1 (got ${minSeconds} s, ${minCount}); set prefill_min_s to e.g. 1`);
  }
  const clockS = options.clockS ?? (() => performance.now() / 1000);
  let count = 0;
  let last: GenerationResult | null = null;
  await meter.begin(windowName);
  let open = true;
  try {
    const t0 = clockS();
    do {
      last = await engine.generate({ promptIds, maxNewTokens: 1, fixedLength: true });
      count++;
    } while (count < minCount || clockS() - t0 < minSeconds);
    open = false;
    const window = await meter.end(windowName);
    return { window, count, perPrefill: divideWindow(window, count), inputTokens: last.inputTokens };
  } finally {
    if (open) {
      try { await (meter.cancel ? meter.cancel(windowName) : meter.end(windowName)); } catch { /* the loop's own error is what matters */ }
    }
  }
}

/** The spec's prefill settings, defaults filled in. */
export interface PrefillEnergySettings {
  mode: PrefillEnergyMode;
  minSeconds: number;
  minCount: number;
}

export function prefillSettings(spec: { prefillEnergy?: PrefillEnergyMode; prefillMinS?: number }): PrefillEnergySettings {
  return { mode: spec.prefillEnergy ?? DEFAULT_PREFILL_ENERGY, minSeconds: spec.prefillMinS ?? DEFAULT_PREFILL_MIN_S, minCount: DEFAULT_PREFILL_MIN_COUNT };
}

/** The runner's call: the loop's result in `repeated` mode, null in `window` mode. */
export async function repeatedPrefillFor(
  spec: { prefillEnergy?: PrefillEnergyMode; prefillMinS?: number }, engine: Engine, meter: SweepMeter, promptIds: number[][], windowName: string,
): Promise<RepeatedPrefill | null> {
  const s = prefillSettings(spec);
  if (s.mode === "window") return null;
  return measureRepeatedPrefill(engine, meter, promptIds, windowName, { minSeconds: s.minSeconds, minCount: s.minCount });
}
