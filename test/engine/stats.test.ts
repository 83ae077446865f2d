// Percentiles interpolate linearly between closest ranks (numpy.percentile's default).
import { test } from "node:test";
import assert from "node:assert/strict";
import { percentile, percentiles, summarize } from "../../src/engine/stats.js";

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

test("summarize gives count, mean, sample std and the usual percentiles", () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.count, 8);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.p50, 4.5);
  assert.equal(summarize([3]).std, 0);
  assert.ok(Number.isNaN(summarize([]).mean));
});
