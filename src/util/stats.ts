// Uncertainty wherever a comparison is made: n, median, mean and a 95% confidence interval for repeated
// measurements, intervals for ratios and relative changes of two means, and three-valued verdicts against a
// threshold — `holds`, `does not hold`, or `undecided` when the interval straddles it.
//
// Intervals: the mean's is Student's t interval (mean ± t(0.975, n−1) × s/√n), the one wattlab reports and judges by.
// A ratio of two means (B/A) uses the delta method on log(B/A) with Welch–Satterthwaite degrees of freedom: its
// standard error is √(s_A²/(n_A·m_A²) + s_B²/(n_B·m_B²)). The median's interval, where asked for, is a seeded
// percentile bootstrap (reproducible: the same values give the same interval). With one value there is no interval.

export const CONFIDENCE = 0.95;

export type IntervalMethod = "t" | "bootstrap-median";
export const METHOD_TEXT: Record<IntervalMethod, string> = {
  t: "95% t-interval of the mean",
  "bootstrap-median": "95% percentile-bootstrap interval of the median",
};

export interface Interval {
  low: number;
  high: number;
}

export interface Aggregate {
  n: number;
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  std: number;
  min: number;
  max: number;
  /** The 95% interval of `method`'s statistic; NaN bounds with fewer than two values. */
  ci: Interval;
  method: IntervalMethod;
}

// ---------------------------------------------------------------------------------------------------------
// Student's t quantile: the regularized incomplete beta (Numerical Recipes' continued fraction) inverted by bisection.

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const k of c) ser += k / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional). */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom (e.g. tQuantile(0.975, 2) = 4.303). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  let lo = -1e3, hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------------------

const finite = (xs: readonly (number | null | undefined)[]): number[] => xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}
function quantileSorted(sorted: readonly number[], p: number): number {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank), hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}
export function median(xs: readonly number[]): number {
  return xs.length ? quantileSorted([...xs].sort((a, b) => a - b), 0.5) : NaN;
}

/** The p-th percentile (0..100) of values, interpolated linearly between closest ranks (numpy.percentile's default,
 * so figures match the Python study); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  return percentiles(values, [p])[`p${p}`];
}

/** Several percentiles at once, keyed "p50", "p90", "p99.9"… (one sort). */
export function percentiles(values: readonly number[], ps: readonly number[] = [50, 90, 99]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  return Object.fromEntries(ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
    return [`p${p}`, sorted.length === 0 ? NaN : quantileSorted(sorted, p / 100)];
  }));
}

/** The mean's 95% t-interval; NaN bounds with fewer than two values. */
export function meanInterval(values: readonly number[], level = CONFIDENCE): Interval {
  const xs = finite(values);
  if (xs.length < 2) return { low: NaN, high: NaN };
  const half = tQuantile(1 - (1 - level) / 2, xs.length - 1) * (sd(xs) / Math.sqrt(xs.length));
  return { low: mean(xs) - half, high: mean(xs) + half };
}

/** A small seeded generator (mulberry32) so bootstrap intervals are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median's 95% percentile-bootstrap interval (seeded: reproducible); NaN bounds with fewer than two values. */
export function medianInterval(values: readonly number[], options: { resamples?: number; seed?: number; level?: number } = {}): Interval {
  const xs = finite(values);
  if (xs.length < 2) return { low: NaN, high: NaN };
  const random = seeded(options.seed ?? 17);
  const medians: number[] = [];
  for (let r = 0; r < (options.resamples ?? 2000); r++) medians.push(median(xs.map(() => xs[Math.floor(random() * xs.length)])));
  medians.sort((a, b) => a - b);
  const alpha = 1 - (options.level ?? CONFIDENCE);
  return { low: quantileSorted(medians, alpha / 2), high: quantileSorted(medians, 1 - alpha / 2) };
}

/** n, mean, median, std, min, max and the 95% interval (`t`: of the mean, the default; or a bootstrap of the median). */
export function aggregate(values: readonly (number | null | undefined)[], method: IntervalMethod = "t"): Aggregate {
  const xs = finite(values);
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    n: xs.length,
    mean: xs.length ? mean(xs) : NaN,
    median: xs.length ? quantileSorted(sorted, 0.5) : NaN,
    std: xs.length ? sd(xs) : NaN,
    min: xs.length ? sorted[0] : NaN,
    max: xs.length ? sorted[sorted.length - 1] : NaN,
    ci: method === "t" ? meanInterval(xs) : medianInterval(xs),
    method,
  };
}

export interface RatioEstimate {
  /** mean(B) / mean(A). */
  ratio: number;
  /** 95% interval of the ratio (delta method on the log, Welch df); NaN bounds when either side has one value. */
  ci: Interval;
  nA: number;
  nB: number;
}

/**
 * The ratio of two means, B/A, with a 95% interval: log(B/A) ± t(0.975, Welch df) × √(s_A²/(n_A m_A²) + s_B²/(n_B m_B²)).
 * For a relative change (B − A)/A subtract 1 from every figure.
 */
export function ratioOfMeans(a: readonly (number | null | undefined)[], b: readonly (number | null | undefined)[], level = CONFIDENCE): RatioEstimate {
  const xa = finite(a), xb = finite(b);
  const ma = xa.length ? mean(xa) : NaN, mb = xb.length ? mean(xb) : NaN;
  const ratio = mb / ma;
  if (xa.length < 2 || xb.length < 2 || !(ma > 0) || !(mb > 0)) return { ratio, ci: { low: NaN, high: NaN }, nA: xa.length, nB: xb.length };
  const va = sd(xa) ** 2 / (xa.length * ma * ma), vb = sd(xb) ** 2 / (xb.length * mb * mb);
  const se = Math.sqrt(va + vb);
  if (se === 0) return { ratio, ci: { low: ratio, high: ratio }, nA: xa.length, nB: xb.length };
  const df = (va + vb) ** 2 / ((va * va) / (xa.length - 1) + (vb * vb) / (xb.length - 1));
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { ratio, ci: { low: ratio * Math.exp(-half), high: ratio * Math.exp(half) }, nA: xa.length, nB: xb.length };
}

/** The interval of a value divided by a constant (e.g. tokens/s over a bandwidth floor). */
export function scaleInterval(i: Interval, by: number): Interval {
  return by >= 0 ? { low: i.low * by, high: i.high * by } : { low: i.high * by, high: i.low * by };
}

// ---------------------------------------------------------------------------------------------------------
// Verdicts

export type Verdict = "holds" | "does not hold" | "undecided";
export type Comparison = "<" | "≤" | ">" | "≥";

/**
 * Whether `estimate` meets `comparison threshold`, judged by its interval: `holds` when the whole interval does,
 * `does not hold` when none of it does, `undecided` when it straddles the threshold — or when there is no interval
 * (fewer than two values), since then nothing says how far to trust the estimate.
 */
export function verdict(ci: Interval, comparison: Comparison, threshold: number): Verdict {
  if (!Number.isFinite(ci.low) || !Number.isFinite(ci.high)) return "undecided";
  const meets = (x: number) => (comparison === "<" ? x < threshold : comparison === "≤" ? x <= threshold : comparison === ">" ? x > threshold : x >= threshold);
  if (meets(ci.low) && meets(ci.high)) return "holds";
  if (!meets(ci.low) && !meets(ci.high)) return "does not hold";
  return "undecided";
}

/** Whether an interval lies inside [low, high] (holds), outside it (does not hold) or across an edge (undecided). */
export function withinVerdict(ci: Interval, low: number, high: number): Verdict {
  if (!Number.isFinite(ci.low) || !Number.isFinite(ci.high)) return "undecided";
  if (ci.low >= low && ci.high <= high) return "holds";
  if (ci.high < low || ci.low > high) return "does not hold";
  return "undecided";
}

/** "0.321 [0.305, 0.338]" — an estimate with its interval, for tables. */
export function formatInterval(estimate: number, ci: Interval, digits = 3): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toPrecision(digits) : "–");
  return Number.isFinite(ci.low) ? `${f(estimate)} [${f(ci.low)}, ${f(ci.high)}]` : `${f(estimate)} [n < 2]`;
}
