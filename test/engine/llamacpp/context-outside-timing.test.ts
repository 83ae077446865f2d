// When the request shape changes (more prompts, longer prompts), the engine recreates its llama.cpp
// context before beforePrefill: the (re)creation stays outside the timed and metered region.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LlamaModel } from "node-llama-cpp";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { sharedPath } from "../../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

test("stories260K: a new request shape recreates the context before beforePrefill, a repeated one keeps it", { skip: stories.skip }, async () => {
  const { engine } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    // Count the real model's context creations among the hook events (the call goes through unchanged).
    const model = (engine as unknown as { model: LlamaModel }).model;
    const events: string[] = [];
    const create = model.createContext.bind(model);
    model.createContext = (async (...args: Parameters<LlamaModel["createContext"]>) => {
      events.push("createContext");
      return create(...args);
    }) as LlamaModel["createContext"];
    const hooks = {
      beforePrefill: () => { events.push(`beforePrefill ${engine.contextShape?.sequences}x${engine.contextShape?.contextSize}`); },
      afterPrefill: () => { events.push("afterPrefill"); },
      afterDecode: () => { events.push("afterDecode"); },
    };
    const prompt = (n: number) => [1, ...Array.from({ length: n - 1 }, (_, i) => 300 + (i % 100))];
    const run = async (rows: number, promptTokens: number) => {
      events.length = 0;
      const result = await engine.generate({ promptIds: Array.from({ length: rows }, () => prompt(promptTokens)), maxNewTokens: 4, fixedLength: true }, hooks);
      assert.equal(result.outputTokens, rows * 4);
      return [...events];
    };

    assert.equal(engine.contextShape, null, "no context before the first request");
    assert.deepEqual(await run(1, 8), ["createContext", "beforePrefill 1x256", "afterPrefill", "afterDecode"]);
    assert.deepEqual(await run(1, 8), ["beforePrefill 1x256", "afterPrefill", "afterDecode"], "same shape: context kept");
    assert.deepEqual(await run(3, 8), ["createContext", "beforePrefill 3x256", "afterPrefill", "afterDecode"], "more rows");
    assert.deepEqual(await run(3, 300), ["createContext", "beforePrefill 3x512", "afterPrefill", "afterDecode"], "longer prompts");
    assert.deepEqual(await run(3, 8), ["beforePrefill 3x512", "afterPrefill", "afterDecode"], "a shape that fits: kept");
  } finally {
    await engine.dispose();
  }
  assert.equal(engine.contextShape, null, "dispose releases the context");
});
