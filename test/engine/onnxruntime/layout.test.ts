// Model folders are recognised by their files; the three layouts run; a folder that cannot be driven
// gives a one-line error naming the file and what is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedPath } from "../../support/shared.js";
import { detectModelLayout, openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-layout-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The same tiny Llama as an optimum / onnx-community folder (links to the fixture's files). */
function optimumFolder(dir: string, fixtureDir: string): void {
  mkdirSync(join(dir, "onnx"));
  symlinkSync(join(fixtureDir, "model.onnx"), join(dir, "onnx", "model_fp16.onnx"));
  symlinkSync(join(fixtureDir, "model.onnx.data"), join(dir, "onnx", "model.onnx.data")); // external data, by its recorded name
  symlinkSync(join(fixtureDir, "tokenizer.json"), join(dir, "tokenizer.json"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({
    model_type: "llama", hidden_size: 16, num_attention_heads: 1, num_key_value_heads: 1, num_hidden_layers: 2,
    vocab_size: 32000, max_position_embeddings: 2048, bos_token_id: 0, eos_token_id: 1, pad_token_id: 2,
  }));
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [1, 7] }));
}

test("the onnxruntime-genai fixture is read from genai_config.json", { skip: fixture.skip }, () => {
  const layout = detectModelLayout(fixture.path);
  assert.equal(layout.kind, "onnxruntime-genai");
  assert.equal(layout.modelPath, join(fixture.path, "model.onnx"));
  assert.deepEqual(layout.config.eosTokenIds, [1]);
  assert.equal(layout.config.contextLength, 2048);
  assert.equal(layout.config.headSize, 16);
  assert.ok(layout.config.kvNameTemplates.includes("past_key_values.%d.key"));
});

test("an optimum folder runs, dtype chosen by file name, and gives the genai folder's tokens", { skip: fixture.skip }, async (t) => {
  const dir = tempDir(t);
  optimumFolder(dir, fixture.path);
  const layout = detectModelLayout(dir);
  assert.equal(layout.kind, "optimum");
  assert.equal(layout.dtype, "fp16");
  assert.deepEqual(layout.config.eosTokenIds, [1, 7], "generation_config.json's EOS list wins");
  assert.throws(() => detectModelLayout(dir, { dtype: "int4" }), /onnx: no model_q4\.onnx for dtype "int4"; present: fp16/);
  assert.throws(() => detectModelLayout(dir, { dtype: "q3" }), /Unsupported dtype "q3". Should be one of: fp32, fp16, int8, int4, q4f16/);

  const prompt = { promptIds: [[1, 450, 4996, 17354]], maxNewTokens: 6, fixedLength: true };
  const optimum = await openOnnxRuntimeEngine({ modelDir: dir, dtype: "fp16" });
  const genai = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  try {
    assert.match(optimum.info.weightForm, /^fp16 \(onnx\/model_fp16\.onnx\)$/);
    assert.deepEqual((await optimum.generate(prompt)).outputIds, (await genai.generate(prompt)).outputIds);
  } finally {
    await optimum.dispose();
    await genai.dispose();
  }
});

test("a wattlab build is recognised by its manifest and checked against the dtype asked for", { skip: fixture.skip }, async (t) => {
  const dir = tempDir(t);
  for (const f of ["model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json"]) symlinkSync(join(fixture.path, f), join(dir, f));
  writeFileSync(join(dir, "wattlab-manifest.json"), JSON.stringify({ dtype: "fp16", weightForm: "fp16 (seeded, preset tiny)" }));
  const layout = detectModelLayout(dir);
  assert.equal(layout.kind, "wattlab");
  assert.throws(() => detectModelLayout(dir, { dtype: "int4" }), /wattlab-manifest\.json: this build is fp16, not the dtype "int4"/);
  const engine = await openOnnxRuntimeEngine({ modelDir: dir });
  try {
    assert.equal(engine.info.weightForm, "fp16 (seeded, preset tiny)");
  } finally {
    await engine.dispose();
  }
  // A genai folder holds one model: a dtype that contradicts its graph is refused.
  await assert.rejects(openOnnxRuntimeEngine({ modelDir: fixture.path, dtype: "fp32" }), /holds fp16 weights, not the dtype "fp32"/);
});

test("folders it cannot drive: one line naming the file and what is missing", (t) => {
  const dir = tempDir(t);
  const oneLine = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.match(error.message, pattern);
    return true;
  };
  assert.throws(() => detectModelLayout(join(dir, "absent")), oneLine(/absent: model folder not found/));
  assert.throws(() => detectModelLayout(dir), oneLine(/not a model folder wattlab can drive: no genai_config\.json/));
  mkdirSync(join(dir, "onnx"));
  assert.throws(() => detectModelLayout(dir), oneLine(/has onnx\/ but no config\.json/));
  writeFileSync(join(dir, "config.json"), "{}");
  assert.throws(() => detectModelLayout(dir), oneLine(/onnx: no model file wattlab knows/));
  writeFileSync(join(dir, "genai_config.json"), JSON.stringify({ model: { decoder: { filename: "decoder.onnx" } } }));
  assert.throws(() => detectModelLayout(dir), oneLine(/genai_config\.json: names the decoder file "decoder\.onnx", which is missing/));
  writeFileSync(join(dir, "genai_config.json"), "{ not json");
  assert.throws(() => detectModelLayout(dir), oneLine(/genai_config\.json: not readable JSON/));
});
