// Paired ratios, their spread, and the verdicts `npm run bench` prints from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { goalVerdict, noiseExceedsEffect, pairedRatios, summarizeRatios } from "../../bench/ratios.js";

test("pairedRatios divides repeat by repeat and summarises median, min and max", () => {
  const s = pairedRatios([11, 20, 33], [10, 20, 30]);
  assert.equal(s.count, 3);
  assert.ok(Math.abs(s.median - 1.1) < 1e-12);
  assert.equal(s.min, 1);
  assert.ok(Math.abs(s.max - 1.1) < 1e-12);
});

test("pairedRatios refuses lists of different lengths, naming both counts", () => {
  assert.throws(() => pairedRatios([1, 2], [1]), /2 measured repeats against 1 baseline/);
});

test("summarizeRatios takes the middle pair's mean for an even count and ignores non-finite ratios", () => {
  const s = summarizeRatios([1.2, 1.0, Infinity, 1.1, 0.9]);
  assert.equal(s.count, 4);
  assert.ok(Math.abs(s.median - 1.05) < 1e-12);
  assert.equal(summarizeRatios([]).count, 0);
});

test("noise exceeds the effect when the spread is wider than |median − 1|", () => {
  assert.equal(noiseExceedsEffect({ median: 1.02, min: 0.95, max: 1.1, count: 5 }), true);
  assert.equal(noiseExceedsEffect({ median: 1.5, min: 1.4, max: 1.6, count: 5 }), false);
  assert.equal(noiseExceedsEffect({ median: 1.02, min: 1.02, max: 1.02, count: 1 }), false);
});

test("goalVerdict: met or missed on every repeat, else at the median only", () => {
  assert.equal(goalVerdict({ median: 1.01, min: 1.0, max: 1.03, count: 5 }, 1.05), "met");
  assert.equal(goalVerdict({ median: 1.04, min: 0.9, max: 1.2, count: 5 }, 1.05), "met at median");
  assert.equal(goalVerdict({ median: 1.06, min: 0.9, max: 1.2, count: 5 }, 1.05), "missed at median");
  assert.equal(goalVerdict({ median: 1.2, min: 1.1, max: 1.3, count: 5 }, 1.05), "missed");
  assert.equal(goalVerdict({ median: NaN, min: NaN, max: NaN, count: 0 }, 1.05), "no data");
});
