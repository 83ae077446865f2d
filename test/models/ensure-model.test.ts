// ensureModel builds a preset once into <modelsDir>/<preset>-<dtype> and reuses it afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "../../src/models/build.js";

const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-models-"));
process.on("exit", () => rmSync(modelsDir, { recursive: true, force: true }));

test("builds once, then returns the cached folder; a damaged folder is rebuilt", async () => {
  const first = await ensureModel(modelsDir, "tiny", "fp32");
  assert.equal(first.dir, join(modelsDir, "tiny-fp32"));
  for (const name of ["model.onnx", "model.onnx.data", "config.json", "genai_config.json", "tokenizer.json", "tokenizer_config.json"]) {
    assert.ok(existsSync(join(first.dir, name)), name);
  }
  const again = await ensureModel(modelsDir, "tiny", "fp32");
  assert.equal(again.createdAt, first.createdAt);

  writeFileSync(join(first.dir, "model.onnx.data"), "truncated");
  const rebuilt = await ensureModel(modelsDir, "tiny", "fp32");
  assert.notEqual(rebuilt.createdAt, first.createdAt);
  assert.deepEqual(rebuilt.files, first.files); // same seed, same bytes
});

test("graph, logits and activations that differ from the defaults get folders of their own", async () => {
  const fused = await ensureModel(modelsDir, "tiny", "fp32", { graph: "fused" });
  assert.equal(fused.dir, join(modelsDir, "tiny-fp32-fused"));
  assert.equal(fused.graph, "fused");
  const all = await ensureModel(modelsDir, "tiny", "fp32", { logits: "all" });
  assert.equal(all.dir, join(modelsDir, "tiny-fp32-logits-all"));
  assert.equal(all.logits, "all");
  const int4 = await ensureModel(modelsDir, "tiny", "int4");
  const int4Half = await ensureModel(modelsDir, "tiny", "int4", { activations: "fp16" });
  assert.equal(int4.activations, "fp32");
  assert.equal(int4Half.activations, "fp16");
  assert.equal(int4Half.dir, join(modelsDir, "tiny-int4-fp16act"));
});
