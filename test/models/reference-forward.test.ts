// The built tiny models (every position's logits) against the independent float64 forward pass.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { getPreset } from "../../src/models/presets.js";
import { referenceForward, referenceWeights, relativeError } from "../support/forward.js";
import { openSession, runPrompt } from "./onnx-session.js";

const prompt = [[1, 17, 300, 42, 99, 5, 511, 256]];
const root = mkdtempSync(join(tmpdir(), "wattlab-ref-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

for (const preset of ["tiny", "tiny-qwen2"]) {
  const config = getPreset(preset);
  let expected: Float64Array;
  before(() => { expected = referenceForward(config, referenceWeights(config, 0), { inputIds: prompt }); });

  test(`${preset} fp32 logits match the float64 reference (relative error < 1e-4)`, async () => {
    await buildModel({ preset, dtype: "fp32", logits: "all", outDir: join(root, preset + "-fp32"), workers: 1 });
    const { logits, dims } = await runPrompt(await openSession(join(root, preset + "-fp32", "model.onnx")), prompt);
    assert.deepEqual(dims, [1, prompt[0].length, config.vocab_size]);
    const error = relativeError(logits, expected);
    console.log(`${preset} fp32 relative logits error: ${error.toExponential(2)}`);
    assert.ok(error < 1e-4, `relative error ${error}`);
  });

  test(`${preset} fp16 logits stay near the reference (error reported)`, async () => {
    await buildModel({ preset, dtype: "fp16", logits: "all", outDir: join(root, preset + "-fp16"), workers: 1 });
    const { logits } = await runPrompt(await openSession(join(root, preset + "-fp16", "model.onnx")), prompt);
    const error = relativeError(logits, expected);
    console.log(`${preset} fp16 relative logits error: ${error.toExponential(2)}`);
    assert.ok(error < 2e-2, `relative error ${error}`);
  });
}
