// Knowing the instrument: how often each energy counter moves and by how much, probed when the meter opens, and
// whether a window spans enough of those updates for its figure to mean anything.
//
// A counter read at two instants is exact only at its update boundaries: between them it holds the last value, so
// a window's difference is off by up to one step at each end (±1 update's energy). Over N updates the error is at
// most about 1/N of the window's energy; under MIN_RESOLVED_UPDATES the window is flagged `belowResolution` and its
// figures are left out of comparisons and verdicts.

/** Fewer updates than this in a window: its energy reads the counter's steps as much as the work (≥ 10% error). */
export const MIN_RESOLVED_UPDATES = 10;

/** How a channel's update period is known. */
export type ResolutionBasis =
  /** watched at open: the counter changed several times and the intervals were timed */
  | "probed"
  /** known from the source's nature (e.g. CPU time moves in clock ticks of 10 ms) */
  | "nominal"
  /** no counter: power samples integrated at the sampling period */
  | "sampled"
  /** the counter did not move while it was watched (an idle RAPL zone, an unchanging file) */
  | "unknown";

export interface ChannelResolution {
  /** Channel key: "gpu0", "cpu", "dram". */
  key: string;
  /** Time between two updates of the figure the window subtracts. Units: ms. */
  updateMs: number | null;
  /** Typical energy of one update while watched (idle at open: a lower bound of a busy step). Units: J. */
  stepJ: number | null;
  basis: ResolutionBasis;
  /** Changes seen while probing. */
  updatesSeen: number;
}

/** The slowest update period among channels that carry energy (null when none is known). Units: ms. */
export function slowestUpdateMs(resolution: readonly ChannelResolution[]): number | null {
  const known = resolution.map((r) => r.updateMs).filter((ms): ms is number => ms !== null && ms > 0);
  return known.length ? Math.max(...known) : null;
}

/** Updates of the slowest channel a window of `seconds` spans; null without a known period. */
export function updatesSpanned(seconds: number, resolution: readonly ChannelResolution[]): number | null {
  const ms = slowestUpdateMs(resolution);
  return ms === null ? null : (seconds * 1000) / ms;
}

/** A window below resolution: known to span fewer than MIN_RESOLVED_UPDATES updates. */
export function isBelowResolution(updates: number | null | undefined): boolean {
  return typeof updates === "number" && updates < MIN_RESOLVED_UPDATES;
}

/**
 * Period and step from a probe's observations: the times (ms) at which a counter was first seen at a new value,
 * and those values (J). The first change only marks a boundary (the probe began between two updates), so the
 * period is the median interval between later changes; the step the median change.
 */
export function resolutionFromChanges(key: string, changes: readonly { tMs: number; valueJ: number }[]): ChannelResolution {
  if (changes.length < 2) return { key, updateMs: null, stepJ: null, basis: "unknown", updatesSeen: changes.length };
  const intervals: number[] = [];
  const steps: number[] = [];
  for (let i = 1; i < changes.length; i++) {
    intervals.push(changes[i].tMs - changes[i - 1].tMs);
    steps.push(changes[i].valueJ - changes[i - 1].valueJ);
  }
  return { key, updateMs: median(intervals), stepJ: median(steps), basis: "probed", updatesSeen: changes.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
