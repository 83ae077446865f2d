// Cached decode (present.* fed back as past_key_values.*) gives the same greedy tokens as recomputing
// the whole sequence with an empty past at every step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { argmaxLastPosition } from "../../../src/engine/onnxruntime/argmax.js";
import { createSession, tensor, type OrtFeeds } from "../../../src/engine/onnxruntime/session.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("16 tokens by cached decode equal 16 tokens by full recompute", { skip: fixture.skip }, async () => {
  const prompt = [1, 15043, 3186, 29892, 445, 338];
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  let cached: number[];
  try {
    cached = (await engine.generate({ promptIds: [prompt], maxNewTokens: 16, fixedLength: true })).outputIds[0];
  } finally {
    await engine.dispose();
  }

  // The reference: the bare session, whole sequence each step, empty past.
  const session = await createSession(`${fixture.path}/model.onnx`, { device: "cpu" });
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
    assert.equal(cached.length, 16);
    assert.deepEqual(cached, recomputed);
  } finally {
    await session.release();
  }
});
