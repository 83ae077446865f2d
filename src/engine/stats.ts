// Percentiles and summaries of timing samples (decode steps, repeated runs). Linear interpolation
// between closest ranks, as numpy.percentile's default, so figures match the Python study.

/** The p-th percentile (0..100) of values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be within 0..100, got ${p}`);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Several percentiles at once, keyed "p50", "p90", "p99.9"… */
export function percentiles(values: readonly number[], ps: readonly number[] = [50, 90, 99]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return Object.fromEntries(ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new Error(`percentiles: p must be within 0..100, got ${p}`);
    return [`p${p}`, sorted.length === 0 ? NaN : percentileOfSorted(sorted, p)];
  }));
}

export interface Summary {
  count: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one value. */
  std: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Count, mean, sample std, min, p50/p90/p99, max; the values keep their unit. NaN fields for an empty list. */
export function summarize(values: readonly number[]): Summary {
  const count = values.length;
  if (count === 0) return { count, mean: NaN, std: NaN, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / count;
  const variance = count > 1 ? sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1) : 0;
  return {
    count, mean, std: Math.sqrt(variance), min: sorted[0],
    p50: percentileOfSorted(sorted, 50), p90: percentileOfSorted(sorted, 90), p99: percentileOfSorted(sorted, 99),
    max: sorted[count - 1],
  };
}
