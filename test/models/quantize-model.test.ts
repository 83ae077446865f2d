// quantizeModel rewrites constant-weight MatMuls of an existing ONNX folder into MatMulNBits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { quantizeModel } from "../../src/models/quantize/quantize-model.js";
import { relativeError } from "../support/forward.js";
import { sharedPath } from "../support/shared.js";
import { openSession, runPrompt } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-quant-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

// MatMuls per layer: q, k, v, o, gate, up, down (portable); packed qkv, o, gate, up, down (fused); + lm_head
for (const [graph, matmuls] of [["portable", 4 * 7 + 1], ["fused", 4 * 5 + 1]] as const) {
  test(`quantizing a built fp32 model equals building it as int8 directly (${graph})`, async () => {
    const fp32 = await buildModel({ preset: "tiny", dtype: "fp32", graph, outDir: join(root, `fp32-${graph}`), workers: 1 });
    const direct = await buildModel({ preset: "tiny", dtype: "int8", graph, outDir: join(root, `int8-${graph}`), workers: 1 });
    const out = join(root, `fp32-q8-${graph}`);
    const report = quantizeModel({ inputDir: fp32.dir, outDir: out, bits: 8 });
    assert.equal(report.quantized.length, matmuls);
    assert.ok(existsSync(join(out, "tokenizer.json")));
    const prompt = [[1, 9, 80, 200, 511]];
    const a = await runPrompt(await openSession(join(out, "model.onnx")), prompt);
    const b = await runPrompt(await openSession(join(direct.dir, "model.onnx")), prompt);
    assert.ok(relativeError(a.logits, b.logits) < 1e-6);
  });
}

test("the third-party genai fixture quantizes to 8 and 4 bits and still runs", { skip: fixture.skip }, async () => {
  const prompt = [[1, 450, 4996, 17354, 1701]];
  const base = await runPrompt(await openSession(join(fixture.path, "model.onnx")), prompt);
  for (const bits of [8, 4] as const) {
    const out = join(root, `fixture-q${bits}`);
    const report = quantizeModel({ inputDir: fixture.path, outDir: out, bits, blockSize: 16 });
    assert.equal(report.quantized.length, 15);
    const q = await runPrompt(await openSession(join(out, "model.onnx")), prompt);
    const error = relativeError(q.logits, base.logits);
    console.log(`fixture int${bits} block 16: logits relative error ${error.toExponential(2)}, ` +
      `${report.bytesBefore} → ${report.bytesAfter} bytes (the fp16 embedding is kept)`);
    assert.ok(error < (bits === 8 ? 0.05 : 0.5), `error ${error}`);
  }
});
