import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpecFile, parseSpec, SweepSpecError, validateSpec } from "../../src/sweep/spec.js";
import { builtinSpec } from "../../src/sweep/builtin-specs.js";

function problemsOf(json: unknown, contextLength?: (m: string) => number | undefined): SweepSpecError {
  try {
    parseSpec(json, { contextLength });
  } catch (error) {
    assert.ok(error instanceof SweepSpecError, `expected SweepSpecError, got ${error}`);
    return error;
  }
  assert.fail("the spec was accepted");
}

test("each bad value is named with its dimension and value, all in one error", () => {
  const error = problemsOf({
    name: "bad",
    base: { batch_size: 0 },
    dimensions: { quantization: ["fp16", "int3"], dataset: ["squad"], device: ["tpu"], engine: ["vllm"], input_length: [12.5, "huge"] },
  });
  assert.equal(error.name, "SweepSpecError");
  assert.match(error.message, /sweep spec "bad" has 7 problems/);
  assert.match(error.message, /batch_size=0: batch_size must be positive\. Fix: use 1 or more prompts/);
  assert.match(error.message, /quantization="int3": unknown quantization\. Fix: use one of: fp32, fp16, int8, int4/);
  assert.match(error.message, /dataset="squad": unknown dataset\. Fix: use one of: alpaca, gsm8k, synthetic/);
  assert.match(error.message, /device="tpu": unknown device\. Fix: use one of: cpu, webgpu, cuda/);
  assert.match(error.message, /engine="vllm": unknown engine\. Fix: use one of: onnxruntime, llama\.cpp/);
  assert.match(error.message, /input_length=12\.5: input_length must be a whole number of tokens/);
  assert.match(error.message, /input_length="huge": .*short=128, medium=512, long=1024/);
  assert.deepEqual(error.problems.map((p) => p.field).sort(),
    ["batch_size", "dataset", "device", "engine", "input_length", "input_length", "quantization"]);
});

test("input + output above the model's context is refused before anything runs, naming the model and limit", () => {
  const error = problemsOf({ base: { model: "llama-2-7b", input_length: 4000, output_length: 64 }, dimensions: { output_length: [64, 512] } });
  assert.equal(error.problems.length, 1);
  assert.match(error.message, /input_length\+output_length="4000\+512": 4512 tokens exceed llama-2-7b's context length of 4096/);
  assert.match(error.message, /Fix: lower input_length or output_length so their sum is ≤ 4096/);
  // an injected lookup is used for models it knows
  const custom = problemsOf({ base: { model: "my-model", input_length: 100, output_length: 100 } }, (m) => (m === "my-model" ? 128 : undefined));
  assert.match(custom.message, /200 tokens exceed my-model's context length of 128/);
});

test("unknown fields and dimensions, and bad repetitions, are reported", () => {
  const error = problemsOf({ dimensionz: {}, base: { batch: 2 }, dimensions: { batch_size: [] }, repetitions: 0 });
  assert.match(error.message, /dimensionz=\{\}: unknown field/);
  assert.match(error.message, /base\.batch=2: unknown dimension\. Fix: use one of: model, engine, device/);
  assert.match(error.message, /batch_size=\[\]: a dimension lists one or more values/);
  assert.match(error.message, /repetitions=0: must be an integer ≥ 1/);
});

test("a typed spec is validated the same way (validateSpec)", () => {
  const spec = builtinSpec("tiny-batch");
  spec.dimensions.batch_size = [1, -2];
  assert.throws(() => validateSpec(spec), /batch_size=-2: batch_size must be positive/);
});

test("a spec file that is not there is named with the fix (not 'fix the JSON'); broken JSON is told apart", () => {
  assert.throws(() => loadSpecFile("/nonexistent/study.json", { builtins: { "seed-study": builtinSpec("seed-study") } }),
    /^Error: sweep spec \/nonexistent\/study\.json: no such file; check the path \(or pass a built-in spec with --preset seed-study\)$/);
  const dir = mkdtempSync(join(tmpdir(), "wattlab-spec-"));
  try {
    writeFileSync(join(dir, "broken.json"), "{ \"base\": ");
    assert.throws(() => loadSpecFile(join(dir, "broken.json")), /broken\.json: .*JSON.*\. Fix the JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
