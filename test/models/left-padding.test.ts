// A left-padded batch row gives the logits of the same prompt run alone, in prefill and in cached decode,
// in both graph forms (the fused one turns rows around for GroupQueryAttention, which expects right padding).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, type GraphForm } from "../../src/models/build.js";
import { relativeError } from "../support/forward.js";
import { openSession, runPrompt, runStep } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-pad-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

for (const graph of ["portable", "fused"] as GraphForm[]) {
  for (const preset of ["tiny", "tiny-qwen2"]) {
    test(`${preset} ${graph}: left-padded row equals the prompt alone`, async () => {
      const dir = join(root, `${preset}-${graph}`);
      await buildModel({ preset, dtype: "fp32", graph, logits: "all", outDir: dir, workers: 1 });
      const session = await openSession(join(dir, "model.onnx"));
      const long = [1, 50, 60, 70, 80, 90];
      const short = [1, 400, 401];
      const pad = 0;
      const padCount = long.length - short.length;
      const padded = [...Array(padCount).fill(pad), ...short];
      const mask = [long.map(() => 1), padded.map((_, i) => (i < padCount ? 0 : 1))];
      const batch = await runPrompt(session, [long, padded], mask);
      const alone = await runPrompt(session, [short]);
      const longAlone = await runPrompt(session, [long]);
      const vocab = alone.dims[2];
      const rowStart = (1 * long.length + padCount) * vocab;
      const prefillError = relativeError(batch.logits.subarray(rowStart, rowStart + short.length * vocab), alone.logits);
      const unpaddedError = relativeError(batch.logits.subarray(0, long.length * vocab), longAlone.logits);
      assert.ok(prefillError < 1e-5, `padded row prefill relative error ${prefillError}`);
      assert.ok(unpaddedError < 1e-5, `unpadded row prefill relative error ${unpaddedError}`);
      assert.ok(batch.logits.every(Number.isFinite), "padded positions must stay finite (no NaN spreading)");

      // two cached decode steps on the padded batch
      let past = batch.cache;
      let pastAlone = alone.cache;
      let decodeError = 0;
      for (let step = 1; step <= 2; step++) {
        const stepMask = mask.map((row) => [...row, ...Array(step).fill(1)]);
        const out = await runStep(session, {
          inputIds: [[10 + step], [20 + step]], attentionMask: stepMask,
          positionIds: [[long.length + step - 1], [short.length + step - 1]], past,
        });
        const outAlone = await runStep(session, {
          inputIds: [[20 + step]], attentionMask: [Array(short.length + step).fill(1)], positionIds: [[short.length + step - 1]], past: pastAlone,
        });
        decodeError = Math.max(decodeError, relativeError(out.logits.subarray(vocab, 2 * vocab), outAlone.logits));
        past = out.cache;
        pastAlone = outAlone.cache;
      }
      console.log(`${preset} ${graph} left padding: prefill error ${prefillError.toExponential(2)}, decode error ${decodeError.toExponential(2)}`);
      assert.ok(decodeError < 1e-5, `decode relative error ${decodeError}`);
    });
  }
}
