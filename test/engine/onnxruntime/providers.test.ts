// Devices that cannot run here fail with what is missing and the fix; unknown devices are named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { executionProviderConfig, missingCudaEpFiles } from "../../../src/engine/onnxruntime/providers.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("an unknown device is refused with the list of devices", () => {
  assert.throws(() => executionProviderConfig("tpu" as never), /Unsupported device "tpu". Should be one of: cpu, webgpu, cuda/);
});

test("cuda without onnxruntime-node's CUDA binaries names the files and the install command", { skip: fixture.skip }, async (t) => {
  if (process.platform !== "linux" || missingCudaEpFiles().length === 0) return t.skip("the CUDA EP binaries are installed here");
  await assert.rejects(openOnnxRuntimeEngine({ modelDir: fixture.path, device: "cuda" }), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /^device "cuda": onnxruntime-node's CUDA execution provider is not installed \(missing libonnxruntime_providers_shared\.so/);
    assert.match(error.message, /ONNXRUNTIME_NODE_INSTALL_CUDA=v12 node node_modules\/onnxruntime-node\/script\/install\.js/);
    return true;
  });
});

test("webgpu without an adapter says what the WebGPU EP needs", { skip: fixture.skip }, async (t) => {
  let engine;
  try {
    engine = await openOnnxRuntimeEngine({ modelDir: fixture.path, device: "webgpu" });
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.match(error.message, /^device "webgpu": no WebGPU adapter .*libvulkan\.so\.1/);
    assert.ok(!error.message.includes("\n"));
    return;
  }
  await engine.dispose();
  t.skip("a WebGPU adapter exists here");
});
