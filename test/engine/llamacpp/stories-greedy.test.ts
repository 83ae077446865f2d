// stories260K (a real trained tiny Llama) through wattlab's llama.cpp engine: greedy and deterministic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { sharedPath } from "../../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

// Seen with llama.cpp's CPU backend (node-llama-cpp 3.21.1 prebuilt) and matched by the float64 HF reference.
const PROMPT_IDS = [1, 403, 407, 261, 378]; // <s> "Once upon a time"
const GOLDEN_FIRST_IDS = [432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338];

test("stories260K: greedy ids are golden, repeatable, and decode to English", { skip: stories.skip }, async () => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    assert.deepEqual(tokenizer.encode("Once upon a time"), PROMPT_IDS);
    const request = { promptIds: [PROMPT_IDS], maxNewTokens: 24, fixedLength: true };
    const first = await engine.generate(request);
    const second = await engine.generate(request);
    assert.deepEqual(first.outputIds[0].slice(0, GOLDEN_FIRST_IDS.length), GOLDEN_FIRST_IDS);
    assert.deepEqual(second.outputIds, first.outputIds);
    const text = tokenizer.decode(first.outputIds[0]);
    assert.match(text, /^, there was a little girl named Lily\./);
    assert.equal(first.inputTokens, PROMPT_IDS.length);
    assert.equal(first.outputTokens, 24);
    assert.equal(first.decodeStepS.length, 23);
    assert.ok(first.prefillS > 0 && first.decodeStepS.every((s) => s > 0));
    assert.ok(Math.abs(first.totalS - first.prefillS - first.decodeStepS.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.ok(first.peakRssBytes > 0);
  } finally {
    await engine.dispose();
  }
});

test("stories260K: engine info names the file type, device and versions", { skip: stories.skip }, async () => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    assert.equal(engine.info.engine, "llama.cpp");
    assert.equal(engine.info.device, "cpu");
    assert.equal(engine.info.weightForm, "F32"); // no general.file_type in this file: the tensors' own type
    assert.match(engine.info.backendVersion, /^node-llama-cpp 3\.21\.1 \(llama\.cpp .+\)$/);
    assert.equal(engine.info.contextLength, 2048);
    assert.equal(engine.info.vocabSize, 512);
    assert.deepEqual(engine.info.eosTokenIds, [2]);
    assert.equal(tokenizer.bosTokenId, 1);
    assert.deepEqual(tokenizer.encode("Once upon a time", { addSpecialTokens: false }), PROMPT_IDS.slice(1));
  } finally {
    await engine.dispose();
  }
});
