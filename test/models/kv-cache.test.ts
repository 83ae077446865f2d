// Cached decode (present fed back as past) gives the logits of a full recompute, in both graph forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, type GraphForm, type ModelDtype } from "../../src/models/build.js";
import { relativeError } from "../support/forward.js";
import { openSession, runPrompt, runStep } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-kv-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const cases: [string, ModelDtype, GraphForm, number][] = [
  ["tiny", "fp32", "portable", 1e-5], ["tiny-qwen2", "fp32", "portable", 1e-5], ["tiny", "fp16", "portable", 5e-3],
  ["tiny", "fp32", "fused", 1e-5], ["tiny-qwen2", "fp32", "fused", 1e-5], ["tiny", "fp16", "fused", 5e-3],
];
for (const [preset, dtype, graph, tolerance] of cases) {
  test(`${preset} ${dtype} ${graph}: three cached decode steps equal full recompute`, async () => {
    const dir = join(root, `${preset}-${dtype}-${graph}`);
    await buildModel({ preset, dtype, graph, outDir: dir, workers: 1 }); // logits "last": one row per run
    const session = await openSession(join(dir, "model.onnx"));
    const tokens = [1, 200, 33, 47, 480, 12, 7, 301];
    const promptLength = 5;
    let { cache } = await runPrompt(session, [tokens.slice(0, promptLength)]);
    let worst = 0;
    for (let t = promptLength; t < tokens.length; t++) {
      const step = await runStep(session, {
        inputIds: [[tokens[t]]], attentionMask: [Array(t + 1).fill(1)], positionIds: [[t]], past: cache,
      });
      cache = step.cache;
      assert.deepEqual(cache["past_key_values.0.key"].dims[2], t + 1);
      const full = await runPrompt(session, [tokens.slice(0, t + 1)]);
      assert.deepEqual(full.dims.slice(0, 2), [1, 1]);
      worst = Math.max(worst, relativeError(step.logits, full.logits));
    }
    console.log(`${preset} ${dtype} ${graph} cached vs recompute relative error: ${worst.toExponential(2)}`);
    assert.ok(worst < tolerance, `relative error ${worst}`);
  });
}
