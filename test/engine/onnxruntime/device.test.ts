// The GPU paths on a machine that has one: WATTLAB_TEST_DEVICE=webgpu (or cuda) runs cached decode against
// a full recompute and a padded batch against single rows on that device; skipped elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { argmaxLastPosition } from "../../../src/engine/onnxruntime/argmax.js";
import { assertExecutionProvider } from "../../../src/engine/onnxruntime/providers.js";
import { createSession, tensor, type OrtFeeds } from "../../../src/engine/onnxruntime/session.js";

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
  const session = await createSession(`${fixture.path}/model.onnx`, { device });
  try {
    const sequence = [...prompt];
    const recomputed: number[] = [];
    for (let step = 0; step < 16; step++) {
      const n = sequence.length;
      const feeds: OrtFeeds = {
        input_ids: tensor("int64", BigInt64Array.from(sequence, BigInt), [1, n]),
        attention_mask: tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
        position_ids: tensor("int64", BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]),
      };
      for (let layer = 0; layer < 2; layer++) {
        for (const kind of ["key", "value"]) feeds[`past_key_values.${layer}.${kind}`] = tensor("float16", new Uint16Array(0), [1, 1, 0, 16]);
      }
      const out = await session.run(feeds);
      const [next] = argmaxLastPosition(out.logits.data as Uint16Array, 1, n, 32000);
      recomputed.push(next);
      sequence.push(next);
    }
    assert.deepEqual(cached, recomputed);
  } finally {
    await session.release();
  }
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
