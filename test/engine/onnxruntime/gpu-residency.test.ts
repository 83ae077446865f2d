// The WebGPU path's bookkeeping, on the CPU: a stand-in for onnxruntime-node's WebGPU binding wraps a real
// CPU session and hands present.* back as 'gpu-buffer' tensors (Tensor.fromGpuBuffer, as the binding does).
// The engine must feed them back unchanged, read logits from the CPU, dispose every device tensor exactly
// once (also when a run fails), and give the CPU engine's tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor } from "onnxruntime-common";
import { sharedPath } from "../../support/shared.js";
import { OnnxRuntimeEngine } from "../../../src/engine/onnxruntime/engine.js";
import { createSession, type OrtSession, type OrtTensor, type SessionOptions } from "../../../src/engine/onnxruntime/session.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

/** A session factory standing in for the WebGPU binding; `failOnRun` makes that run (1-based) throw. */
function gpuStandIn(failOnRun = 0) {
  const live = new Map<object, OrtTensor>();
  const stats = { created: 0, disposed: 0, runs: 0, gpuOutputs: [] as readonly string[] };
  const open = async (modelPath: string, options: SessionOptions): Promise<OrtSession> => {
    assert.equal(options.device, "webgpu");
    stats.gpuOutputs = options.gpuOutputs ?? [];
    const real = await createSession(modelPath, { device: "cpu", threads: 1 });
    const run = async (feeds: Record<string, OrtTensor>) => {
      stats.runs++;
      const cpuFeeds: Record<string, OrtTensor> = {};
      for (const [name, value] of Object.entries(feeds)) {
        if (value.location !== "gpu-buffer") { cpuFeeds[name] = value; continue; }
        const backing = live.get(value.gpuBuffer as object);
        assert.ok(backing, `${name} fed after its device buffer was disposed`);
        cpuFeeds[name] = backing;
      }
      if (stats.runs === failOnRun) throw new Error("stand-in device lost");
      const outputs = await real.run(cpuFeeds);
      const result: Record<string, OrtTensor> = {};
      for (const [name, value] of Object.entries(outputs)) {
        if (!stats.gpuOutputs.includes(name)) { result[name] = value; continue; }
        const handle = { name, id: stats.created++ };
        live.set(handle, value);
        result[name] = Tensor.fromGpuBuffer(handle as never, {
          dataType: value.type as "float16", dims: value.dims,
          dispose: () => { assert.ok(live.delete(handle), `${name} disposed twice`); stats.disposed++; },
        });
      }
      return result;
    };
    return Object.assign(Object.create(real) as OrtSession, { run, release: () => real.release() });
  };
  return { open, live, stats };
}

const prompts = [[1, 15043, 3186, 29892, 445, 338], [1, 319]];

test("present.* stay on the stand-in device between steps and are each disposed once", { skip: fixture.skip }, async () => {
  const cpu = await OnnxRuntimeEngine.open({ modelDir: fixture.path });
  const expected = (await cpu.generate({ promptIds: prompts, maxNewTokens: 10, fixedLength: true })).outputIds;
  await cpu.dispose();

  const gpu = gpuStandIn();
  const engine = await OnnxRuntimeEngine.open({ modelDir: fixture.path, device: "webgpu" }, gpu.open);
  try {
    assert.deepEqual([...gpu.stats.gpuOutputs].sort(), ["present.0.key", "present.0.value", "present.1.key", "present.1.value"]);
    const result = await engine.generate({ promptIds: prompts, maxNewTokens: 10, fixedLength: true });
    assert.deepEqual(result.outputIds, expected);
    assert.equal(gpu.stats.created, 10 * 4, "4 presents per run, 10 runs");
    assert.equal(gpu.stats.disposed, gpu.stats.created);
    assert.equal(gpu.live.size, 0, "no device buffer left behind");
  } finally {
    await engine.dispose();
  }
});

test("a run that fails midway still disposes every device buffer", { skip: fixture.skip }, async () => {
  const gpu = gpuStandIn(4);
  const engine = await OnnxRuntimeEngine.open({ modelDir: fixture.path, device: "webgpu" }, gpu.open);
  try {
    await assert.rejects(engine.generate({ promptIds: prompts, maxNewTokens: 10, fixedLength: true }), /stand-in device lost/);
    assert.equal(gpu.stats.created, 3 * 4);
    assert.equal(gpu.live.size, 0);
    // The engine is usable again after the failure.
    const again = await engine.generate({ promptIds: prompts, maxNewTokens: 2, fixedLength: true });
    assert.equal(again.outputTokens, 4);
    assert.equal(gpu.live.size, 0);
  } finally {
    await engine.dispose();
  }
});
