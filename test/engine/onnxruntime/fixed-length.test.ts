// fixedLength ignores EOS and makes exactly maxNewTokens for every row, with one timing per decode step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("fixedLength gives exactly N tokens per row even when EOS comes up", { skip: fixture.skip }, async () => {
  const prompts = [[1, 15043, 3186], [1, 450, 4996, 17354, 1701]];
  const probe = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  let firstTokens: number[];
  try {
    firstTokens = (await probe.generate({ promptIds: prompts, maxNewTokens: 1, fixedLength: true })).outputIds.map((r) => r[0]);
  } finally {
    await probe.dispose();
  }
  // Every row's first token is a stop token: only fixedLength keeps the rows going.
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path, eosTokenIds: firstTokens });
  try {
    for (const n of [1, 5, 9]) {
      const result = await engine.generate({ promptIds: prompts, maxNewTokens: n, fixedLength: true });
      assert.deepEqual(result.outputIds.map((r) => r.length), [n, n], `N = ${n}`);
      assert.equal(result.outputTokens, 2 * n);
      assert.equal(result.decodeStepS.length, n - 1, "one decode step per token after the first");
      assert.ok(result.prefillS > 0 && result.totalS >= result.prefillS);
      assert.ok(result.peakRssBytes > 0);
    }
  } finally {
    await engine.dispose();
  }
});
