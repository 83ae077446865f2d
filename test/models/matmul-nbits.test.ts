// Builder dtypes int8/int4 (com.microsoft MatMulNBits): the packed weights run in onnxruntime-node and
// match the float64 reference run on the dequantized weights; errors against the float weights and the
// file sizes against fp16 are reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { dequantizeRow, kBlocks, quantizeRows, zeroPointBytesPerRow } from "../../src/models/onnx/nbits.js";
import { normalizeConfig, weightSpecs, weightValues, type ModelConfig } from "../../src/models/presets.js";
import { referenceForward, referenceWeights, relativeError, type ReferenceWeights } from "../support/forward.js";
import { openSession, runPrompt } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-nbits-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
// Small, but with linears dominating the bytes, so that size ratios mean something.
const config: ModelConfig = normalizeConfig({
  model_type: "llama", hidden_size: 256, intermediate_size: 512, num_hidden_layers: 2, num_attention_heads: 4,
  num_key_value_heads: 2, vocab_size: 512, torch_dtype: "float32",
});
const prompt = [[1, 17, 300, 42, 99, 5]];
const blockSize = 32;

function dequantizedWeights(bits: 4 | 8): ReferenceWeights {
  const weights = referenceWeights(config, 0);
  for (const spec of weightSpecs(config).filter((s) => s.role === "linear")) {
    const [n, k] = spec.shape;
    const shape = { bits, blockSize, n, k };
    const b = new Uint8Array(n * kBlocks(shape) * blockSize * bits / 8);
    const scales = new Float32Array(n * kBlocks(shape));
    const zp = new Uint8Array(n * zeroPointBytesPerRow(shape));
    quantizeRows(weightValues(0, spec), n, shape, b, scales, zp);
    const out = new Float64Array(n * k);
    for (let r = 0; r < n; r++) out.set(dequantizeRow(r, shape, b, scales, zp), r * k);
    weights.set(spec.name, out);
  }
  return weights;
}

for (const [dtype, bits] of [["int8", 8], ["int4", 4]] as const) {
  test(`${dtype} (fp32 activations) runs and matches the reference on the dequantized weights`, async () => {
    const built = await buildModel({ config, dtype, blockSize, logits: "all", outDir: join(root, dtype), workers: 1 });
    const { logits } = await runPrompt(await openSession(join(built.dir, "model.onnx")), prompt);
    const layoutError = relativeError(logits, referenceForward(config, dequantizedWeights(bits), { inputIds: prompt }));
    const quantError = relativeError(logits, referenceForward(config, referenceWeights(config, 0), { inputIds: prompt }));
    console.log(`${dtype} block ${blockSize}: vs dequantized reference ${layoutError.toExponential(2)}, ` +
      `vs float weights (quantization error) ${quantError.toExponential(2)}`);
    assert.ok(layoutError < 1e-4, `${dtype} layout error ${layoutError}`);
  });
}

test("with fp16 activations, int8 and int4 files are about 1/2 and 1/4 of fp16 (plus embeddings and scales)", async () => {
  const fp16 = await buildModel({ config, dtype: "fp16", outDir: join(root, "fp16"), workers: 1 });
  for (const [dtype, maxRatio] of [["int8", 0.65], ["int4", 0.4]] as const) {
    const built = await buildModel({ config, dtype, activations: "fp16", blockSize, outDir: join(root, dtype + "-fp16"), workers: 1 });
    const { logits } = await runPrompt(await openSession(join(built.dir, "model.onnx")), prompt);
    assert.ok(logits.every(Number.isFinite));
    const ratio = built.modelBytes / fp16.modelBytes;
    console.log(`${dtype} block ${blockSize} fp16 activations: ${(ratio * 100).toFixed(1)}% of the fp16 model's bytes`);
    assert.ok(ratio < maxRatio, `${dtype} size ratio ${ratio}`);
  }
});
