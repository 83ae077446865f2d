// A left-padded batch row gives the logits of the same prompt run alone, in prefill and in cached decode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { relativeError } from "../../src/models/reference/forward.js";
import { openSession, runPrompt, runStep } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-pad-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

for (const preset of ["tiny", "tiny-qwen2"]) {
  test(`${preset}: left-padded row equals the prompt alone`, async () => {
    const dir = join(root, preset);
    await buildModel({ preset, dtype: "fp32", outDir: dir, workers: 1 });
    const session = await openSession(join(dir, "model.onnx"));
    const long = [1, 50, 60, 70, 80, 90];
    const short = [1, 400, 401];
    const pad = 0;
    const padded = [...Array(long.length - short.length).fill(pad), ...short];
    const mask = [long.map(() => 1), padded.map((_, i) => (i < long.length - short.length ? 0 : 1))];
    const batch = await runPrompt(session, [long, padded], mask);
    const alone = await runPrompt(session, [short]);
    const vocab = alone.dims[2];
    const rowStart = (1 * long.length + (long.length - short.length)) * vocab;
    const prefillError = relativeError(batch.logits.subarray(rowStart, rowStart + short.length * vocab), alone.logits);
    assert.ok(prefillError < 1e-5, `prefill relative error ${prefillError}`);
    assert.ok(batch.logits.every(Number.isFinite), "padded positions must stay finite (no NaN spreading)");

    // one cached decode step on the padded batch
    const next = [[11], [12]];
    const stepMask = mask.map((row) => [...row, 1]);
    const step = await runStep(session, {
      inputIds: next, attentionMask: stepMask, positionIds: [[long.length], [short.length]], past: batch.cache,
    });
    const aloneStep = await runStep(session, {
      inputIds: [[12]], attentionMask: [Array(short.length + 1).fill(1)], positionIds: [[short.length]], past: alone.cache,
    });
    const decodeError = relativeError(step.logits.subarray(vocab, 2 * vocab), aloneStep.logits);
    console.log(`${preset} left padding: prefill error ${prefillError.toExponential(2)}, decode error ${decodeError.toExponential(2)}`);
    assert.ok(decodeError < 1e-5, `decode relative error ${decodeError}`);
  });
}
