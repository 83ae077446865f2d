import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, type CommandSpec } from "../../src/cli/args.js";
import { gpusFromArgs, runOptionsFromArgs, specFromArgs, SWEEP_OPTIONS } from "../../src/cli/sweep-options.js";
import { expandConfigs, expandRuns, SweepSpecError } from "../../src/sweep/spec.js";

const command: CommandSpec = { name: "sweep", summary: "", usage: "wattlab sweep", options: SWEEP_OPTIONS, run: async () => {} };
const parse = (...argv: string[]) => parseArgs(command, argv);

test("a preset with flag overrides: one value sets the base, several values make a dimension", () => {
  const p = parse("--preset", "tiny-batch", "--device", "webgpu", "--output-length", "short,long", "--reps", "1", "--shard", "1/3", "--out", "/tmp/x");
  const spec = specFromArgs(p);
  assert.equal(spec.name, "tiny-batch");
  assert.equal(spec.base.device, "webgpu");
  assert.deepEqual(spec.dimensions.output_length, [128, 1024]);
  assert.equal(spec.base.outputLength, 128, "the base moves to the first listed value when it is not among them");
  assert.equal(expandRuns(spec).length, 4); // base(b1,out128), b2, b4, out1024
  const options = runOptionsFromArgs(p, spec);
  assert.deepEqual(options.shard, { index: 1, count: 3 });
  assert.equal(options.outDir, "/tmp/x");
  assert.equal(options.idleSeconds, 5);
});

test("a spec file, --set, grid mode and --gpus", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-cli-"));
  const file = join(dir, "mine.json");
  writeFileSync(file, JSON.stringify({ base: { model: "tiny", input_length: 16 }, dimensions: { batch_size: [1, 2] } }));
  const p = parse("--spec", file, "--set", "dataset=gsm8k", "--mode", "grid", "--quantization", "fp32,int8", "--gpus", "0,1", "--no-fixed-length");
  const spec = specFromArgs(p);
  assert.equal(spec.name, "mine");
  assert.equal(spec.base.dataset, "gsm8k");
  assert.equal(spec.fixedLength, false);
  assert.equal(expandConfigs(spec).length, 4);
  assert.deepEqual(gpusFromArgs(p), [0, 1]);
  assert.equal(runOptionsFromArgs(p, spec).outDir, "results/mine");
});

test("bad flag values surface as the spec's named errors", () => {
  assert.throws(() => specFromArgs(parse("--batch-size", "0,2", "--quantization", "q3")), (e: Error) =>
    e instanceof SweepSpecError && /batch_size=0/.test(e.message) && /quantization="q3"/.test(e.message));
  assert.throws(() => specFromArgs(parse("--preset", "nope")), /unknown built-in sweep "nope"/);
  assert.throws(() => gpusFromArgs(parse("--gpus", "a")), /--gpus "a" is not a GPU index/);
});

test("measurement flags set the protocol; a bad one is reported with the fix", () => {
  const spec = specFromArgs(parse("--preset", "tiny-batch", "--measurement", "window", "--min-window-s", "4", "--min-window-updates", "40", "--min-generations", "5"));
  assert.deepEqual([spec.prefillEnergy, spec.minWindowS, spec.minWindowUpdates, spec.minGenerations], ["window", 4, 40, 5]);
  assert.throws(() => specFromArgs(parse("--preset", "tiny-batch", "--min-generations", "0")), /min_generations=0: must be a whole number ≥ 1\. Fix: set e\.g\. 3/);
});
