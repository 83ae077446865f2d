// The GPU paths on a machine that has one: WATTLAB_TEST_DEVICE=webgpu (or cuda) runs cached decode against
// a full recompute and a padded batch against single rows on that device; skipped elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { assertExecutionProvider } from "../../../src/engine/onnxruntime/providers.js";
import { greedyByRecompute } from "./recompute.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");
const device = process.env.WATTLAB_TEST_DEVICE ?? "";
const skip = fixture.skip || (device === "" ? "set WATTLAB_TEST_DEVICE=webgpu|cuda on a GPU machine" : false);

test(`cached decode on ${device || "a GPU"} equals a full recompute there, with the KV cache kept on the device`, { skip }, async () => {
  assertExecutionProvider(device);
  const prompt = [1, 15043, 3186, 29892, 445, 338];
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path, device });
  let cached: number[];
  try {
    assert.equal(engine.info.device, device);
    // Several generations in a row: GPU tensors of one must not disturb the next.
    for (let i = 0; i < 3; i++) await engine.generate({ promptIds: [prompt, [1, 319]], maxNewTokens: 8, fixedLength: true });
    cached = (await engine.generate({ promptIds: [prompt], maxNewTokens: 16, fixedLength: true })).outputIds[0];
  } finally {
    await engine.dispose();
  }
  const recomputed = await greedyByRecompute(`${fixture.path}/model.onnx`, prompt, 16, device);
  assert.deepEqual(cached, recomputed);
});

test(`a padded batch on ${device || "a GPU"} matches single rows there`, { skip }, async () => {
  assertExecutionProvider(device);
  const prompts = [[1, 15043, 3186, 29892, 445, 338], [1, 319], [1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975]];
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path, device });
  try {
    const together = await engine.generate({ promptIds: prompts, maxNewTokens: 12, fixedLength: true });
    for (const [row, prompt] of prompts.entries()) {
      const alone = await engine.generate({ promptIds: [prompt], maxNewTokens: 12, fixedLength: true });
      assert.deepEqual(together.outputIds[row], alone.outputIds[0], `row ${row}`);
    }
  } finally {
    await engine.dispose();
  }
});
