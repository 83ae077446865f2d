// The spec's prefill settings: "repeated" with a 1 s minimum unless said otherwise, the tiny built-ins at
// 0.2 s, bad values reported with the fix, and the fields surviving the spec's JSON form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILTIN_SPECS, builtinSpec } from "../../src/sweep/builtin-specs.js";
import { prefillSettings } from "../../src/sweep/prefill-energy.js";
import { parseSpec, specToJson, SweepSpecError } from "../../src/sweep/spec.js";

test("a spec without prefill fields measures repeated prefills for at least 1 s and 3 prefills", () => {
  assert.deepEqual(prefillSettings(parseSpec({ name: "plain" })), { mode: "repeated", minSeconds: 1, minCount: 3 });
  assert.deepEqual(prefillSettings(parseSpec({ prefill_energy: "window", prefill_min_s: 2.5 })), { mode: "window", minSeconds: 2.5, minCount: 3 });
});

test("the tiny built-ins keep the loop short; the GPU seed study keeps the 1 s default", () => {
  assert.equal(prefillSettings(builtinSpec("tiny-batch")).minSeconds, 0.2);
  assert.equal(prefillSettings(builtinSpec("tiny-seed-study")).minSeconds, 0.2);
  assert.deepEqual(prefillSettings(builtinSpec("seed-study")), { mode: "repeated", minSeconds: 1, minCount: 3 });
  const extended = parseSpec({ extends: "tiny-batch", prefill_energy: "window" }, { builtins: { ...BUILTIN_SPECS } });
  assert.deepEqual(prefillSettings(extended), { mode: "window", minSeconds: 0.2, minCount: 3 });
});

test("bad prefill settings are reported together with what to write", () => {
  try {
    parseSpec({ name: "bad", prefill_energy: "loop", prefill_min_s: -1 });
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof SweepSpecError);
    assert.match(error.message, /has 2 problems/);
    assert.match(error.message, /prefill_energy="loop": unknown prefill energy mode\. Fix: use one of: window, repeated/);
    assert.match(error.message, /prefill_min_s=-1: must be a number of seconds ≥ 0/);
  }
});

test("prefill fields survive the spec's JSON form and stay absent when unset", () => {
  const spec = parseSpec({ name: "p", prefill_energy: "window", prefill_min_s: 0.5 });
  assert.deepEqual(parseSpec(JSON.parse(JSON.stringify(specToJson(spec)))), spec);
  const json = specToJson(parseSpec({ name: "q" }));
  assert.equal("prefill_energy" in json || "prefill_min_s" in json, false);
});
