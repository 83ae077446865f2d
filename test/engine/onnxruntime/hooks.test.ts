// Hooks run in phase order, are awaited, and see the engine idle (called between timed regions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("beforePrefill, afterPrefill, afterDecode are awaited in order, once each", { skip: fixture.skip }, async () => {
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  try {
    const events: string[] = [];
    const slow = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name} end`);
    };
    const result = await engine.generate({ promptIds: [[1, 450]], maxNewTokens: 3, fixedLength: true },
      { beforePrefill: slow("beforePrefill"), afterPrefill: slow("afterPrefill"), afterDecode: slow("afterDecode") });
    assert.deepEqual(events, ["beforePrefill start", "beforePrefill end", "afterPrefill start", "afterPrefill end", "afterDecode start", "afterDecode end"]);
    assert.equal(result.decodeStepS.length, 2);
    await assert.rejects(engine.generate({ promptIds: [[1]], maxNewTokens: 0, fixedLength: true }), /maxNewTokens must be an integer ≥ 1/);
    await assert.rejects(engine.generate({ promptIds: [[1]], maxNewTokens: 2048, fixedLength: true }), /exceeds the context length 2048/);
  } finally {
    await engine.dispose();
  }
  await assert.rejects(engine.generate({ promptIds: [[1]], maxNewTokens: 1, fixedLength: true }), /the engine is disposed/);
});
