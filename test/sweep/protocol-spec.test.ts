// The spec's measurement protocol: repeated windows of ≥ 2 s or ≥ 20 counter updates and ≥ 3 generations unless
// said otherwise, min_window_s winning over its older name prefill_min_s, bad values reported with the fix, and
// the fields surviving the spec's JSON form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILTIN_SPECS, builtinSpec } from "../../src/sweep/builtin-specs.js";
import { measurementProtocol } from "../../src/sweep/protocol.js";
import { parseSpec, specToJson, SweepSpecError } from "../../src/sweep/spec.js";

test("a spec without protocol fields measures repeated windows of ≥ 2 s or ≥ 20 counter updates and ≥ 3 generations", () => {
  assert.deepEqual(measurementProtocol(parseSpec({ name: "plain" })), { measurement: "repeated", window: { minSeconds: 2, minUpdates: 20, minCount: 3 }, warmupRuns: 1 });
  assert.deepEqual(measurementProtocol(parseSpec({ prefill_energy: "window", prefill_min_s: 2.5 })).window.minSeconds, 2.5, "the older name still sets it");
  const both = measurementProtocol(parseSpec({ prefill_min_s: 0.5, min_window_s: 4, min_window_updates: 40, min_generations: 5, warmup_runs: 2 }));
  assert.deepEqual(both, { measurement: "repeated", window: { minSeconds: 4, minUpdates: 40, minCount: 5 }, warmupRuns: 2 });
});

test("the built-ins: the GPU seed study keeps the defaults; an extension may switch to single windows", () => {
  assert.deepEqual(measurementProtocol(builtinSpec("seed-study")).window, { minSeconds: 2, minUpdates: 20, minCount: 3 });
  const extended = parseSpec({ extends: "tiny-batch", prefill_energy: "window" }, { builtins: { ...BUILTIN_SPECS } });
  assert.equal(measurementProtocol(extended).measurement, "window");
});

test("bad protocol settings are reported together with what to write", () => {
  try {
    parseSpec({ name: "bad", prefill_energy: "loop", prefill_min_s: -1, min_window_updates: 2.5, min_generations: 0 });
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof SweepSpecError);
    assert.match(error.message, /has 4 problems/);
    assert.match(error.message, /prefill_energy="loop": unknown measurement mode\. Fix: use one of: window, repeated/);
    assert.match(error.message, /prefill_min_s=-1: must be a number of seconds ≥ 0/);
    assert.match(error.message, /min_window_updates=2.5: must be a whole number ≥ 0\. Fix: set e.g. 20/);
    assert.match(error.message, /min_generations=0: must be a whole number ≥ 1\. Fix: set e.g. 3/);
  }
});

test("protocol fields survive the spec's JSON form and stay absent when unset", () => {
  const spec = parseSpec({ name: "p", prefill_energy: "window", prefill_min_s: 0.5, min_window_s: 3, min_window_updates: 30, min_generations: 4 });
  assert.deepEqual(parseSpec(JSON.parse(JSON.stringify(specToJson(spec)))), spec);
  const json = specToJson(parseSpec({ name: "q" }));
  assert.equal(["prefill_energy", "prefill_min_s", "min_window_s", "min_window_updates", "min_generations"].some((k) => k in json), false);
});
