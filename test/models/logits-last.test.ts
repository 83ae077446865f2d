// logits "last" (the default) gives exactly the last row of logits "all", shaped [batch, 1, vocab], in both
// graph forms and for a left-padded batch (each row's last position is its real last token).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, type GraphForm } from "../../src/models/build.js";
import { relativeError } from "../support/forward.js";
import { openSession, runPrompt, runStep } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-last-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

/** Row r's last position of logits [batch, seq, vocab]. */
function lastRows(logits: Float64Array, dims: readonly number[]): Float64Array[] {
  const [batch, seq, vocab] = dims;
  return Array.from({ length: batch }, (_, r) => logits.subarray((r * seq + seq - 1) * vocab, (r * seq + seq) * vocab));
}

for (const graph of ["portable", "fused"] as GraphForm[]) {
  test(`${graph}: "last" equals the last row of "all" for a left-padded batch, prefill and decode`, async () => {
    const all = await buildModel({ preset: "tiny-qwen2", dtype: "fp32", graph, logits: "all", outDir: join(root, `${graph}-all`), workers: 1 });
    const last = await buildModel({ preset: "tiny-qwen2", dtype: "fp32", graph, outDir: join(root, `${graph}-last`), workers: 1 });
    assert.equal(last.logits, "last");
    assert.equal(JSON.parse(readFileSync(join(last.dir, "genai_config.json"), "utf8")).wattlab.logits, "last");
    assert.deepEqual(last.files.find((f) => f.name === "model.onnx.data"), all.files.find((f) => f.name === "model.onnx.data"));
    const sAll = await openSession(join(all.dir, "model.onnx"));
    const sLast = await openSession(join(last.dir, "model.onnx"));
    const prompts = [[1, 5, 6, 7, 8, 9, 10], [0, 0, 0, 1, 300, 301, 302]];
    const mask = [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1]];
    const a = await runPrompt(sAll, prompts, mask);
    const b = await runPrompt(sLast, prompts, mask);
    assert.deepEqual(a.dims, [2, 7, 512]);
    assert.deepEqual(b.dims, [2, 1, 512]);
    const expected = lastRows(a.logits, a.dims);
    const got = lastRows(b.logits, b.dims);
    for (let r = 0; r < 2; r++) assert.ok(relativeError(got[r], expected[r]) < 1e-6, `row ${r}`);

    const stepMask = mask.map((row) => [...row, 1]);
    const stepA = await runStep(sAll, { inputIds: [[3], [4]], attentionMask: stepMask, positionIds: [[7], [4]], past: a.cache });
    const stepB = await runStep(sLast, { inputIds: [[3], [4]], attentionMask: stepMask, positionIds: [[7], [4]], past: b.cache });
    assert.deepEqual(stepB.dims, [2, 1, 512]);
    assert.ok(relativeError(stepB.logits, stepA.logits) < 1e-6);
  });
}

test("an unknown logits form is refused with the choices named", async () => {
  await assert.rejects(buildModel({ preset: "tiny", dtype: "fp32", logits: "first" as never, outDir: join(root, "bad"), workers: 1 }),
    /Unsupported logits "first". Should be one of: last, all/);
});
