// graph "fused" (GroupQueryAttention, SkipSimplifiedLayerNormalization, packed Q/K/V, MatMulNBits) computes
// what the portable graph and the float64 reference compute; its quantized and fp16 forms run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel, type ModelDtype } from "../../src/models/build.js";
import { getPreset, normalizeConfig } from "../../src/models/presets.js";
import { referenceForward, referenceWeights, relativeError } from "../support/forward.js";
import { openSession, runPrompt } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-fused-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const prompt = [[1, 17, 300, 42, 99, 5, 511, 256]];

for (const preset of ["tiny", "tiny-qwen2"]) {
  test(`${preset} fused fp32: every position matches the float64 reference (relative error < 1e-4)`, async () => {
    const config = getPreset(preset);
    const built = await buildModel({ preset, dtype: "fp32", graph: "fused", logits: "all", outDir: join(root, `${preset}-fp32`), workers: 1 });
    assert.equal(built.graph, "fused");
    const session = await openSession(join(built.dir, "model.onnx"));
    assert.ok(!session.inputNames.includes("position_ids"), "GroupQueryAttention derives positions itself");
    const { logits, dims } = await runPrompt(session, prompt);
    assert.deepEqual(dims, [1, prompt[0].length, config.vocab_size]);
    const error = relativeError(logits, referenceForward(config, referenceWeights(config, 0), { inputIds: prompt }));
    console.log(`${preset} fused fp32 relative logits error: ${error.toExponential(2)}`);
    assert.ok(error < 1e-4, `relative error ${error}`);
    const genai = JSON.parse(readFileSync(join(built.dir, "genai_config.json"), "utf8"));
    assert.deepEqual(genai.wattlab, { graph: "fused", logits: "all", padding_side: "left" });
    assert.equal(genai.model.decoder.inputs.position_ids, undefined);
  });
}

test("the fused graph holds the contrib ops, one packed Q/K/V weight per layer", async () => {
  const built = await buildModel({ preset: "tiny-qwen2", dtype: "fp32", graph: "fused", outDir: join(root, "ops"), workers: 1 });
  const onnx = readFileSync(join(built.dir, "model.onnx")).toString("latin1");
  const count = (s: string) => onnx.split(s).length - 1;
  for (const op of ["GroupQueryAttention", "SkipSimplifiedLayerNormalization", "SimplifiedLayerNormalization", "QuickGelu"]) {
    assert.ok(count(op) > 0, op);
  }
  assert.ok(count("model.layers.2.attn.qkv_proj.bias") > 0);
  assert.equal(count("self_attn.q_proj.weight"), 0);
});

const quantCases: [ModelDtype, "fp32" | "fp16", number][] = [["fp16", "fp16", 5e-3], ["int8", "fp32", 1e-4], ["int4", "fp32", 1e-4], ["int4", "fp16", 5e-3]];
for (const [dtype, activations, tolerance] of quantCases) {
  test(`fused ${dtype} (${activations} activations) agrees with portable ${dtype}`, async () => {
    // wide enough for the int4/int8 blocks to matter, head size 64
    const config = normalizeConfig({ model_type: "llama", hidden_size: 256, intermediate_size: 512, num_hidden_layers: 2,
      num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 512, torch_dtype: "float32" });
    const options = { config, dtype, ...(dtype.startsWith("int") ? { activations } : {}), workers: 1 };
    const fused = await buildModel({ ...options, graph: "fused", outDir: join(root, `q-${dtype}-${activations}-f`) });
    const portable = await buildModel({ ...options, graph: "portable", outDir: join(root, `q-${dtype}-${activations}-p`) });
    const a = await runPrompt(await openSession(join(fused.dir, "model.onnx")), prompt);
    const b = await runPrompt(await openSession(join(portable.dir, "model.onnx")), prompt);
    const error = relativeError(a.logits, b.logits);
    console.log(`fused vs portable ${dtype} ${activations}: relative error ${error.toExponential(2)}`);
    assert.ok(error < tolerance, `relative error ${error}`);
  });
}

test("a head size that is not a multiple of 16 is refused for the fused form, with the fix", async () => {
  const config = normalizeConfig({ model_type: "llama", hidden_size: 48, intermediate_size: 64, num_hidden_layers: 1,
    num_attention_heads: 2, num_key_value_heads: 1, vocab_size: 512 });
  await assert.rejects(buildModel({ config, dtype: "fp32", graph: "fused", outDir: join(root, "d24"), workers: 1 }),
    /multiple of 16.*has 24; build it with graph "portable"/);
});
