// Measurements are values: a window divided by a count (one of N equal repetitions), two windows added (prefill
// then decode) or one taken from another (a generation less its prefill). Energies and seconds follow the
// arithmetic; powers and shares are recomputed from the results; peaks are peaks of samples, never averages.
import { weakestSource } from "./measure.js";
import { isBelowResolution } from "./resolution.js";
import type { GpuWindowEnergy, WindowMeasurement } from "./types.js";

/**
 * A window scaled to one of `count` equal repetitions: energies and seconds divide, powers and shares (ratios of
 * the same totals) stay, peaks stay (they are peaks of any one repetition too), and so does what the window says
 * about its own resolution (the share is as good as the window it came from).
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

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

function combine(a: WindowMeasurement, b: WindowMeasurement, sign: 1 | -1, name: string): WindowMeasurement {
  const clamp = (x: number) => (sign < 0 ? Math.max(0, x) : x);
  const gpus: GpuWindowEnergy[] = a.gpus.map((g) => {
    const other = b.gpus.find((h) => h.index === g.index);
    return { ...g, energyJ: clamp(g.energyJ + sign * (other?.energyJ ?? 0)), source: weakestSource([g.source, other?.source ?? g.source]),
      peakMemoryMb: Math.max(g.peakMemoryMb, other?.peakMemoryMb ?? 0) };
  });
  const seconds = clamp(a.seconds + sign * b.seconds);
  const gpuEnergyJ = gpus.reduce((s, g) => s + g.energyJ, 0);
  const cpuEnergyJ = clamp(a.cpuEnergyJ + sign * b.cpuEnergyJ);
  const dramEnergyJ = clamp(a.dramEnergyJ + sign * b.dramEnergyJ);
  const totalEnergyJ = gpuEnergyJ + cpuEnergyJ + dramEnergyJ;
  const idleA = a.idleEnergyJ ?? null, idleB = b.idleEnergyJ ?? null;
  const idleEnergyJ = idleA === null || idleB === null ? null : clamp(idleA + sign * idleB);
  // without both idle figures, the windows' own dynamic energies combine like the rest
  const dynamicEnergyJ = idleEnergyJ === null ? clamp(a.dynamicEnergyJ + sign * b.dynamicEnergyJ) : Math.max(0, totalEnergyJ - idleEnergyJ);
  const withBaseline = a.idleShare !== null || b.idleShare !== null;
  const updates = (x: WindowMeasurement) => x.counterUpdates ?? null;
  const counterUpdates = updates(a) === null || updates(b) === null ? null : sign > 0 ? updates(a)! + updates(b)! : Math.min(updates(a)!, updates(b)!);
  // a sum spans both windows' updates; a difference is only as resolved as the poorer of its two terms
  const belowResolution = sign > 0 && counterUpdates !== null ? isBelowResolution(counterUpdates) : (a.belowResolution ?? false) || (b.belowResolution ?? false);
  return {
    name,
    seconds,
    gpus,
    gpuEnergyJ,
    cpuEnergyJ,
    dramEnergyJ,
    totalEnergyJ,
    dynamicEnergyJ,
    idleShare: !withBaseline ? null : totalEnergyJ > 0 ? Math.min(1, Math.max(0, 1 - dynamicEnergyJ / totalEnergyJ)) : null,
    avgPowerW: seconds > 0 ? totalEnergyJ / seconds : 0,
    // a difference's samples are the minuend's (decode = generation − prefill: the generation's samples)
    peakPowerW: sign > 0 ? maxOrNull(a.peakPowerW, b.peakPowerW) : a.peakPowerW,
    peakGpuMemoryMb: Math.max(a.peakGpuMemoryMb, b.peakGpuMemoryMb),
    sources: {
      gpu: weakestSource([a.sources.gpu, b.sources.gpu]), cpu: weakestSource([a.sources.cpu, b.sources.cpu]), dram: weakestSource([a.sources.dram, b.sources.dram]),
    },
    idleEnergyJ,
    counterUpdates,
    belowResolution,
    ...(a.startMs !== undefined ? { startMs: a.startMs } : {}),
    ...(sign > 0 && b.endMs !== undefined ? { endMs: b.endMs } : a.endMs !== undefined ? { endMs: a.endMs } : {}),
    ...(a.carbon && b.carbon ? { carbon: { ...a.carbon, gramsCo2eq: clamp(a.carbon.gramsCo2eq + sign * b.carbon.gramsCo2eq) } } : {}),
  };
}

/** Two windows back to back (a prefill window, then its decode window) as one. */
export function addWindows(a: WindowMeasurement, b: WindowMeasurement, name = `${a.name}+${b.name}`): WindowMeasurement {
  return combine(a, b, 1, name);
}

/** `a` less `b` (a generation's share less its prefill's share: its decode), every energy clamped at 0. */
export function subtractWindows(a: WindowMeasurement, b: WindowMeasurement, name = `${a.name}-${b.name}`): WindowMeasurement {
  return combine(a, b, -1, name);
}
