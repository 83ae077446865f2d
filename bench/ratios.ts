// Ratios of a measurement against a baseline taken in the same run, paired repeat by repeat (A/B
// alternated), summarised as the median and the spread: on a shared machine the spread between repeats
// is often larger than the effect being measured, and the report must say so rather than print a verdict.

/** Per-repeat ratios measured / baseline. Units: none. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  /** Number of paired repeats. */
  count: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summary of ratios already paired; NaN everywhere when there are none. */
export function summarizeRatios(ratios: readonly number[]): RatioSpread {
  const finite = ratios.filter(Number.isFinite);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, count: 0 };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), count: finite.length };
}

/** measured[i] / baseline[i] for each repeat i (both lists in repeat order, same length). */
export function pairedRatios(measured: readonly number[], baseline: readonly number[]): RatioSpread {
  if (measured.length !== baseline.length) {
    throw new Error(`pairedRatios: ${measured.length} measured repeats against ${baseline.length} baseline repeats; pair them one to one`);
  }
  return summarizeRatios(measured.map((m, i) => m / baseline[i]));
}

/** True when the repeats disagree by more than the effect itself (|median − 1|): the run cannot tell. */
export function noiseExceedsEffect(s: RatioSpread): boolean {
  return s.count > 1 && s.max - s.min > Math.abs(s.median - 1);
}

/**
 * The ratio against a goal "below goalRatio": met or missed on every repeat, else (the goal inside the
 * spread) met or missed at the median only.
 */
export function goalVerdict(s: RatioSpread, goalRatio: number): "met" | "met at median" | "missed at median" | "missed" | "no data" {
  if (s.count === 0) return "no data";
  if (s.max < goalRatio) return "met";
  if (s.min >= goalRatio) return "missed";
  return s.median < goalRatio ? "met at median" : "missed at median";
}
