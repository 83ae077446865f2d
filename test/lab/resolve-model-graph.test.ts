// resolveModel picks the ONNX graph form by device (fused on GPUs, portable on the CPU) and reports the
// form of any model folder that carries a wattlab-manifest.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { graphFormFor, resolveModel } from "../../src/lab/models.js";

test("graphFormFor: fused for webgpu and cuda, portable for cpu and vulkan", () => {
  assert.equal(graphFormFor("llama-2-7b", "webgpu"), "fused");
  assert.equal(graphFormFor("deepseek-r1-distill-qwen-7b", "cuda"), "fused");
  assert.equal(graphFormFor("llama-2-7b", "cpu"), "portable");
  assert.equal(graphFormFor("llama-2-7b"), "portable", "no device: the CPU");
  assert.equal(graphFormFor("llama-2-7b", "vulkan"), "portable");
});

test("resolveModel builds a preset fused for webgpu, honours an explicit graph, reads a folder's manifest", async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-resolve-"));
  const gpu = await resolveModel("tiny", "fp32", "onnxruntime", { modelsDir, device: "webgpu" });
  assert.equal(gpu.graphForm, "fused");
  assert.match(gpu.dir, /tiny-fp32-fused$/);
  const forced = await resolveModel("tiny", "fp32", "onnxruntime", { modelsDir, device: "webgpu", graph: "portable" });
  assert.equal(forced.graphForm, "portable");
  assert.notEqual(forced.manifestHash, gpu.manifestHash);

  const brought = await resolveModel(gpu.dir, "fp32", "onnxruntime");
  assert.equal(brought.graphForm, "fused", "a path keeps the form its manifest records");
  const bare = mkdtempSync(join(tmpdir(), "wattlab-bare-"));
  writeFileSync(join(bare, "model.onnx"), "");
  assert.equal((await resolveModel(bare, "fp32", "onnxruntime")).graphForm, null, "no manifest: no form claimed");
});

test("resolveModel builds int4 presets with fp16 activations for GPUs and fp32 for the CPU", async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-resolve-act-"));
  const gpu = await resolveModel("tiny", "int4", "onnxruntime", { modelsDir, device: "webgpu" });
  const cpu = await resolveModel("tiny", "int4", "onnxruntime", { modelsDir, device: "cpu" });
  const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "wattlab-manifest.json"), "utf8")) as { activations: string; weightForm: string };
  assert.equal(manifest(gpu.dir).activations, "fp16");
  assert.match(manifest(gpu.dir).weightForm, /fp16 activations/, "the row's weight_form names the activation type");
  assert.equal(manifest(cpu.dir).activations, "fp32");
  assert.notEqual(gpu.dir, cpu.dir, "the two builds are cached apart");
});
