// Cooldown between runs: wait until the meter reads idle power again, so that heat and clocks left by one
// run do not leak into the next one's joules.
import type { WindowMeasurement } from "../meter/types.js";
import type { CooldownSpec } from "./spec.js";

export interface WindowMeter {
  begin(name: string): void | Promise<void>;
  end(name: string): WindowMeasurement | Promise<WindowMeasurement>;
}

export interface CooldownContext {
  spec: CooldownSpec;
  /** The sweep's idle baseline; without one there is nothing to compare to and the wait is simply maxS. Units: W. */
  idlePowerW: number | null;
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let windows = 0;

/** A GPU's temperature is settled when it moved at most this much over one cooldown window. Units: °C. */
export const SETTLED_TEMPERATURE_C = 1;

/** How far the hottest GPU's temperature moved over a window; null where the meter reads no temperature. */
function temperatureDrift(m: WindowMeasurement): number | null {
  const start = m.gpuState?.start ?? [], end = m.gpuState?.end ?? [];
  const drifts = start.flatMap((a) => {
    const b = end.find((g) => g.index === a.index);
    return a.temperatureC !== null && b && b.temperatureC !== null ? [Math.abs(b.temperatureC - a.temperatureC)] : [];
  });
  return drifts.length ? Math.max(...drifts) : null;
}

/**
 * Reads power in windowS windows until it is within tolerance of idle AND every GPU's temperature has settled
 * (moved ≤ SETTLED_TEMPERATURE_C over the window, where the meter reads temperature), or maxS has passed; returns
 * seconds waited (the row's cooldown_s).
 */
export async function waitForIdle(meter: WindowMeter, ctx: CooldownContext): Promise<number> {
  const { maxS, windowS, toleranceRatio } = ctx.spec;
  if (maxS <= 0) return 0;
  if (ctx.idlePowerW === null) {
    await ctx.sleep(maxS * 1000);
    return maxS;
  }
  let waitedS = 0;
  while (waitedS < maxS) {
    const name = `cooldown-${++windows}`;
    await meter.begin(name);
    const stepS = Math.min(windowS, maxS - waitedS);
    await ctx.sleep(stepS * 1000);
    const m = await meter.end(name);
    waitedS += stepS;
    const drift = temperatureDrift(m);
    if (m.avgPowerW <= ctx.idlePowerW * (1 + toleranceRatio) && (drift === null || drift <= SETTLED_TEMPERATURE_C)) break;
  }
  return waitedS;
}
