// A left-padded batch of prompts of different lengths gives every row the tokens it gets alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("a batch of 3 prompts of different lengths matches each prompt run alone", { skip: fixture.skip }, async () => {
  const prompts = [
    [1, 15043, 3186, 29892, 445, 338],
    [1, 319],
    [1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975],
  ];
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  try {
    const together = await engine.generate({ promptIds: prompts, maxNewTokens: 12, fixedLength: true });
    assert.equal(together.inputTokens, 6 + 2 + 9, "inputTokens counts real tokens, no pads");
    for (const [row, prompt] of prompts.entries()) {
      const alone = await engine.generate({ promptIds: [prompt], maxNewTokens: 12, fixedLength: true });
      assert.deepEqual(together.outputIds[row], alone.outputIds[0], `row ${row}`);
    }
  } finally {
    await engine.dispose();
  }
});
