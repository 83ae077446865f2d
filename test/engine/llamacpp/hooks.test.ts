// Hooks run at the phase boundaries, in order, and generate waits for each before going on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { sharedPath } from "../../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

test("stories260K: beforePrefill, afterPrefill, afterDecode are awaited in order", { skip: stories.skip }, async () => {
  const { engine } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const events: string[] = [];
    const hook = (name: string) => async () => { events.push(name + ":start"); await sleep(20); events.push(name + ":end"); };
    const result = await engine.generate({ promptIds: [[1, 403, 407]], maxNewTokens: 3, fixedLength: true }, {
      beforePrefill: hook("beforePrefill"), afterPrefill: hook("afterPrefill"), afterDecode: hook("afterDecode"),
    });
    events.push("returned");
    assert.deepEqual(events, ["beforePrefill:start", "beforePrefill:end", "afterPrefill:start", "afterPrefill:end",
      "afterDecode:start", "afterDecode:end", "returned"]);
    assert.equal(result.outputTokens, 3);
  } finally {
    await engine.dispose();
  }
});

test("stories260K: a second generate while one runs is refused", { skip: stories.skip }, async () => {
  const { engine } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const request = { promptIds: [[1, 403]], maxNewTokens: 4, fixedLength: true };
    const first = engine.generate(request);
    await assert.rejects(engine.generate(request), /already running/);
    assert.equal((await first).outputTokens, 4);
  } finally {
    await engine.dispose();
  }
});
