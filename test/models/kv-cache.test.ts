// Cached decode (present fed back as past) gives the logits of a full recompute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, type ModelDtype } from "../../src/models/build.js";
import { relativeError } from "../../src/models/reference/forward.js";
import { openSession, runPrompt, runStep } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-kv-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const cases: [string, ModelDtype, number][] = [["tiny", "fp32", 1e-5], ["tiny-qwen2", "fp32", 1e-5], ["tiny", "fp16", 5e-3]];
for (const [preset, dtype, tolerance] of cases) {
  test(`${preset} ${dtype}: three cached decode steps equal full recompute`, async () => {
    const dir = join(root, `${preset}-${dtype}`);
    await buildModel({ preset, dtype, outDir: dir, workers: 1 });
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
      const vocab = full.dims[2];
      worst = Math.max(worst, relativeError(step.logits, full.logits.subarray(t * vocab, (t + 1) * vocab)));
    }
    console.log(`${preset} ${dtype} cached vs recompute relative error: ${worst.toExponential(2)}`);
    assert.ok(worst < tolerance, `relative error ${worst}`);
  });
}
