// Intervals and three-valued verdicts against known values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregate, formatInterval, meanInterval, medianInterval, percentile, percentiles, ratioOfMeans, tQuantile, verdict, withinVerdict } from "../../src/util/stats.js";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("Student's t quantiles match the tables", () => {
  close(tQuantile(0.975, 1), 12.7062, 1e-3, "df 1");
  close(tQuantile(0.975, 2), 4.3027, 1e-3, "df 2");
  close(tQuantile(0.975, 4), 2.7764, 1e-3, "df 4");
  close(tQuantile(0.975, 30), 2.0423, 1e-3, "df 30");
  close(tQuantile(0.975, 1e6), 1.9600, 1e-3, "df → ∞");
  close(tQuantile(0.025, 4), -2.7764, 1e-3, "lower tail");
});

test("the mean's t-interval: [1, 2, 3] → 2 ± 4.303 × 1/√3", () => {
  const i = meanInterval([1, 2, 3]);
  close(i.low, 2 - 4.3027 / Math.sqrt(3), 1e-3, "low");
  close(i.high, 2 + 4.3027 / Math.sqrt(3), 1e-3, "high");
  assert.ok(Number.isNaN(meanInterval([5]).low), "one value: no interval");
  const a = aggregate([3, 1, 2, null, Number.NaN]);
  assert.deepEqual([a.n, a.mean, a.median, a.std, a.min, a.max, a.method], [3, 2, 2, 1, 1, 3, "t"]);
});

test("the median's bootstrap interval is reproducible and inside the data's range", () => {
  const xs = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  const a = medianInterval(xs), b = medianInterval(xs);
  assert.deepEqual(a, b);
  assert.ok(a.low >= 10 && a.high <= 19 && a.low < 14.5 && a.high > 14.5, JSON.stringify(a));
});

test("a ratio of means: exact when there is no spread; the delta-method interval covers the ratio", () => {
  const flat = ratioOfMeans([10, 10, 10], [5, 5, 5]);
  assert.deepEqual([flat.ratio, flat.ci.low, flat.ci.high], [0.5, 0.5, 0.5]);
  const r = ratioOfMeans([10, 11, 9], [5, 5.5, 4.5]);
  close(r.ratio, 0.5, 1e-12, "ratio");
  // each side: CV 0.1/√3 per mean; log-ratio se = 0.1·√(2/3); Welch df = 4
  const half = tQuantile(0.975, 4) * 0.1 * Math.sqrt(2 / 3);
  close(r.ci.low, 0.5 * Math.exp(-half), 1e-9, "low");
  close(r.ci.high, 0.5 * Math.exp(half), 1e-9, "high");
  assert.ok(Number.isNaN(ratioOfMeans([1], [1, 2]).ci.low), "one value on a side: no interval");
});

test("verdicts: holds, does not hold, undecided when the interval straddles the threshold or is missing", () => {
  assert.equal(verdict({ low: 0.30, high: 0.32 }, "≤", 1 / 3), "holds");
  assert.equal(verdict({ low: 0.34, high: 0.40 }, "≤", 1 / 3), "does not hold");
  assert.equal(verdict({ low: 0.31, high: 0.35 }, "≤", 1 / 3), "undecided");
  assert.equal(verdict({ low: Number.NaN, high: Number.NaN }, "≥", 3), "undecided");
  assert.equal(verdict({ low: 3.1, high: 3.4 }, "≥", 3), "holds");
  // the committed H200 goal: three repetitions either side of ⅓, one above it — medians under ⅓, yet undecided
  const q4 = aggregate([0.3101, 0.3195, 0.3392]);
  assert.ok(q4.median < 1 / 3);
  assert.equal(verdict(q4.ci, "≤", 1 / 3), "undecided");
  assert.equal(withinVerdict({ low: -0.5, high: -0.3 }, -0.675, -0.225), "holds");
  assert.equal(withinVerdict({ low: -0.9, high: -0.8 }, -0.675, -0.225), "does not hold");
  assert.equal(withinVerdict({ low: -0.7, high: -0.5 }, -0.675, -0.225), "undecided");
  assert.equal(formatInterval(0.3215, { low: 0.3101, high: 0.3392 }), "0.322 [0.310, 0.339]");
  assert.equal(formatInterval(2, { low: Number.NaN, high: Number.NaN }), "2.00 [n < 2]");
});

// Percentiles interpolate linearly between closest ranks (numpy.percentile's default).
test("percentiles match numpy's linear interpolation", () => {
  const values = [15, 20, 35, 40, 50];
  // numpy.percentile([15, 20, 35, 40, 50], [0, 25, 40, 50, 90, 100]) = 15, 20, 29, 35, 46, 50
  assert.equal(percentile(values, 0), 15);
  assert.equal(percentile(values, 25), 20);
  assert.ok(Math.abs(percentile(values, 40) - 29) < 1e-12);
  assert.equal(percentile([50, 15, 40, 35, 20], 50), 35, "order does not matter");
  assert.ok(Math.abs(percentile(values, 90) - 46) < 1e-12);
  assert.equal(percentile(values, 100), 50);
  const several = percentiles([1, 2, 3, 4], [50, 99.9]);
  assert.deepEqual(Object.keys(several), ["p50", "p99.9"]);
  assert.equal(several.p50, 2.5);
  assert.ok(Math.abs(several["p99.9"] - 3.997) < 1e-12);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(values, 101), /p must be within 0\.\.100/);
});
