// openEngine picks the engine plugin by name and returns the engine with its model's tokenizer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../support/shared.js";
import { openEngine } from "../../src/engine/load.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("openEngine opens onnxruntime on a model folder with the folder's tokenizer", { skip: fixture.skip }, async () => {
  const { engine, tokenizer } = await openEngine({ modelDir: fixture.path, threads: 1 });
  try {
    assert.equal(engine.info.engine, "onnxruntime");
    assert.equal(engine.info.device, "cpu");
    assert.match(engine.info.backendVersion, /^onnxruntime-node 1\.\d+\.\d+$/);
    const result = await engine.generate({ promptIds: [tokenizer.encode("Hello")], maxNewTokens: 2, fixedLength: true });
    assert.equal(result.outputIds[0].length, 2);
    assert.equal(typeof tokenizer.decode(result.outputIds[0]), "string");
  } finally {
    await engine.dispose();
  }
});

test("an unknown engine and an offline hub id are refused with the fix", async () => {
  await assert.rejects(openEngine({ engine: "vllm" as never, modelDir: "x" }), /Unsupported engine "vllm". Should be one of: onnxruntime, llama\.cpp/);
  const saved = process.env.HF_HUB_OFFLINE;
  process.env.HF_HUB_OFFLINE = "1";
  try {
    await assert.rejects(openEngine({ modelDir: "onnx-community/not-cached-for-wattlab-tests" }), /^OfflineError: offline: pass a local directory/);
  } finally {
    if (saved === undefined) delete process.env.HF_HUB_OFFLINE; else process.env.HF_HUB_OFFLINE = saved;
  }
});

const gguf = sharedPath("fixtures/gguf/stories260K.gguf");

test("openEngine switches to llama.cpp and adapts its tokenizer", { skip: gguf.skip }, async () => {
  await assert.rejects(openEngine({ engine: "llama.cpp", modelDir: gguf.path, device: "webgpu" }), /device "webgpu" is onnxruntime's/);
  await assert.rejects(openEngine({ modelDir: "x", device: "vulkan" }), /device "vulkan" is llama\.cpp's/);
  const { engine, tokenizer } = await openEngine({ engine: "llama.cpp", modelDir: gguf.path, threads: 1 });
  try {
    assert.equal(engine.info.engine, "llama.cpp");
    const ids = tokenizer.encode("Once upon a time");
    assert.equal(ids[0] === tokenizer.bosTokenId, tokenizer.addBos);
    const result = await engine.generate({ promptIds: [ids], maxNewTokens: 4, fixedLength: true });
    assert.equal(result.outputIds[0].length, 4);
    assert.equal(typeof tokenizer.decode(result.outputIds[0]), "string");
    assert.throws(() => tokenizer.applyChatTemplate([{ role: "user", content: "Hi" }]), /not available for llama\.cpp/);
  } finally {
    await engine.dispose();
  }
});
