// Cached decode (present.* fed back as past_key_values.*) gives the same greedy tokens as recomputing
// the whole sequence with an empty past at every step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { greedyByRecompute } from "./recompute.js";

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
  const recomputed = await greedyByRecompute(`${fixture.path}/model.onnx`, prompt, 16, "cpu");
  assert.equal(cached.length, 16);
  assert.deepEqual(cached, recomputed);
});
