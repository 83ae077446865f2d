import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILTIN_SPECS, builtinSpec } from "../../src/sweep/builtin-specs.js";
import { expandConfigs, expandRuns, parseSpec, runKey, specToJson, validateSpec } from "../../src/sweep/spec.js";
import { defaultContextLength } from "../../src/sweep/spec.js";

test("seed-study one-at-a-time: the base once per repetition plus each dimension's other values", () => {
  const spec = builtinSpec("seed-study");
  const configs = expandConfigs(spec);
  // 1 base + input 2 + output 2 + batch 2 + quantization 2 + dataset 1 + model 1
  assert.equal(configs.length, 11);
  assert.deepEqual(configs[0], spec.base);
  const runs = expandRuns(spec);
  assert.equal(runs.length, 33);
  const baseRuns = runs.filter((r) => JSON.stringify(r.config) === JSON.stringify(spec.base));
  assert.deepEqual(baseRuns.map((r) => r.repetition).sort(), [0, 1, 2]);
  assert.equal(new Set(runs.map((r) => r.key)).size, 33, "every run has its own key");
  // every non-base configuration differs from the base in exactly one dimension
  for (const c of configs.slice(1)) {
    const diffs = Object.keys(c).filter((k) => c[k as keyof typeof c] !== spec.base[k as keyof typeof c]);
    assert.equal(diffs.length, 1, JSON.stringify(c));
  }
  validateSpec(spec, defaultContextLength); // 1024 + 1024 fit Llama-2's 4096
});

test("seed-study groups runs so each (model, quantization, device, engine) loads once", () => {
  const runs = expandRuns(builtinSpec("seed-study"));
  const order = runs.map((r) => r.group).filter((g, i, all) => i === 0 || all[i - 1] !== g);
  assert.equal(order.length, new Set(order).size, "groups are contiguous");
  assert.equal(order.length, 4); // base, int8, int4, deepseek
});

test("tiny specs: tiny-batch is 3 configurations × 2, tiny-seed-study mirrors the seed's 11 × 3", () => {
  assert.equal(expandRuns(builtinSpec("tiny-batch")).length, 6);
  assert.deepEqual(expandConfigs(builtinSpec("tiny-batch")).map((c) => c.batchSize), [1, 2, 4]);
  assert.equal(expandRuns(builtinSpec("tiny-seed-study")).length, 33);
  for (const name of Object.keys(BUILTIN_SPECS)) validateSpec(builtinSpec(name), defaultContextLength);
});

test("grid mode is the full product; named lengths resolve", () => {
  const spec = parseSpec({
    mode: "grid", base: { model: "tiny" },
    dimensions: { input_length: ["short", "medium"], output_length: [16, 32, 64], batch_size: [1, 2] },
  });
  assert.equal(expandConfigs(spec).length, 12);
  assert.deepEqual([...new Set(expandConfigs(spec).map((c) => c.inputLength))], [128, 512]);
  assert.equal(expandRuns(spec).length, 36); // default 3 repetitions
});

test("keys depend on configuration, repetition and seed, not on the spec's name or order", () => {
  const a = parseSpec({ name: "a", dimensions: { batch_size: [1, 2] } });
  const b = parseSpec({ name: "b", dimensions: { batch_size: [2, 1] }, shuffle_seed: 7 });
  assert.deepEqual(new Set(expandRuns(a).map((r) => r.key)), new Set(expandRuns(b).map((r) => r.key)));
  assert.notEqual(runKey(a.base, 0, a), runKey(a.base, 1, a));
  assert.notEqual(runKey(a.base, 0, a), runKey(a.base, 0, { ...a, seed: 1 }));
});

test("a shuffle seed permutes runs reproducibly inside each group and repetition", () => {
  const json = { base: { model: "tiny" }, dimensions: { batch_size: [1, 2, 4, 8], output_length: [8, 16, 32] }, shuffle_seed: 3 };
  const first = expandRuns(parseSpec(json)).map((r) => r.key);
  const again = expandRuns(parseSpec(json)).map((r) => r.key);
  const plain = expandRuns(parseSpec({ ...json, shuffle_seed: null })).map((r) => r.key);
  assert.deepEqual(first, again);
  assert.notDeepEqual(first, plain);
  assert.deepEqual([...first].sort(), [...plain].sort());
  const reps = expandRuns(parseSpec(json)).map((r) => r.repetition);
  assert.deepEqual(reps, [...reps].sort(), "repetition-major order survives the shuffle");
});

test("extends starts from a built-in spec", () => {
  const spec = parseSpec({ extends: "tiny-batch", repetitions: 1, base: { device: "webgpu" } }, { builtins: { ...BUILTIN_SPECS } });
  assert.equal(spec.name, "tiny-batch");
  assert.equal(spec.base.device, "webgpu");
  assert.equal(spec.base.inputLength, 32);
  assert.equal(expandRuns(spec).length, 3);
});

test("a spec survives its JSON form (what spec.json and GPU workers read)", () => {
  for (const name of Object.keys(BUILTIN_SPECS)) {
    const spec = { ...builtinSpec(name), cooldown: { maxS: 30, toleranceRatio: 0.1, windowS: 2 }, shuffleSeed: 4 };
    assert.deepEqual(parseSpec(JSON.parse(JSON.stringify(specToJson(spec)))), spec, name);
  }
});
