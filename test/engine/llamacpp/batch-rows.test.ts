// One sequence per prompt in one context: a batch gives every row the tokens it gets alone, and each
// step is a single llama_decode call for all rows (prefill two where the prompts' lengths differ).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import type { LlamaCppEngine } from "../../../src/engine/llamacpp/engine.js";
import type { GenerateRequest, GenerationResult } from "../../../src/engine/types.js";
import { sharedPath } from "../../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");
const TEXTS = ["Once upon a time", "The little dog", "Lily and Tom went to the big park and"];

test("stories260K: a batch of 3 prompts of different lengths equals each prompt alone", { skip: stories.skip }, async () => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const prompts = TEXTS.map((t) => tokenizer.encode(t));
    assert.notEqual(prompts[0].length, prompts[2].length);
    const batch = await engine.generate({ promptIds: prompts, maxNewTokens: 20, fixedLength: true });
    assert.equal(batch.outputTokens, 60);
    assert.equal(batch.inputTokens, prompts.reduce((s, p) => s + p.length, 0));
    assert.equal(batch.decodeStepS.length, 19);
    for (let r = 0; r < prompts.length; r++) {
      const alone = await engine.generate({ promptIds: [prompts[r]], maxNewTokens: 20, fixedLength: true });
      assert.deepEqual(batch.outputIds[r], alone.outputIds[0], `row ${r}`);
    }
  } finally {
    await engine.dispose();
  }
});

/** What one llama_decode call held: per row added to it, its token count and how many logits it asked for. */
interface DecodeCall { rows: Array<{ sequence: number; tokens: number; logits: number }> }

/**
 * Runs `request` with node-llama-cpp's private native context behind a proxy (its methods are read-only)
 * that records each decodeBatch call and the addToBatch rows before it. Null where the internals changed.
 */
async function recordDecodes(engine: LlamaCppEngine, request: GenerateRequest): Promise<{ calls: DecodeCall[]; result: GenerationResult } | null> {
  await engine.prepare(engine.shapeFor(request));
  const context = (engine as unknown as { context: { _ctx?: Record<string, unknown> } }).context;
  if (!context?._ctx || typeof context._ctx.decodeBatch !== "function" || typeof context._ctx.addToBatch !== "function") return null;
  const calls: DecodeCall[] = [];
  let pending: DecodeCall = { rows: [] };
  const native = context._ctx;
  context._ctx = new Proxy(native, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      if (key === "addToBatch") {
        return (sequence: number, first: number, tokens: Uint32Array, logits: Uint32Array) => {
          pending.rows.push({ sequence, tokens: tokens.length, logits: logits.length });
          return value.call(target, sequence, first, tokens, logits);
        };
      }
      if (key === "decodeBatch") return (...args: unknown[]) => { calls.push(pending); pending = { rows: [] }; return value.apply(target, args); };
      return value.bind(target);
    },
  });
  try {
    return { calls, result: await engine.generate(request) };
  } finally {
    context._ctx = native;
  }
}

// llama.cpp returns a call's logits out of row order when its rows differ in length (its batch split
// groups tokens per sequence), and node-llama-cpp's concurrent sampling then races on reordering them:
// a call that asks several rows for logits must give them all the same token count.
function assertLogitsInRowOrder(calls: DecodeCall[]): void {
  calls.forEach((call, i) => {
    const asking = call.rows.filter((row) => row.logits > 0);
    if (asking.length < 2) return;
    assert.ok(call.rows.every((row) => row.tokens === call.rows[0].tokens), `decode call ${i} asks ${asking.length} rows for logits with rows of ${call.rows.map((r) => r.tokens).join("/")} tokens`);
  });
}

const SKIP_INTERNALS = "node-llama-cpp internals changed (LlamaContext._ctx.addToBatch/decodeBatch); check batching by timings instead";

test("stories260K: prompts of one length prefill in one llama_decode call, and every step is one call", { skip: stories.skip }, async (t) => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const prompts = TEXTS.map((x) => tokenizer.encode(x).slice(0, 4));
    const recorded = await recordDecodes(engine, { promptIds: prompts, maxNewTokens: 10, fixedLength: true });
    if (!recorded) return t.skip(SKIP_INTERNALS);
    assert.equal(recorded.result.outputTokens, 30);
    assert.equal(recorded.calls.length, 1 + recorded.result.decodeStepS.length);
    assert.deepEqual(recorded.calls[0].rows.map((r) => r.tokens), [4, 4, 4]);
    assert.ok(recorded.calls.slice(1).every((c) => c.rows.length === 3 && c.rows.every((r) => r.tokens === 1)));
    assertLogitsInRowOrder(recorded.calls);
  } finally {
    await engine.dispose();
  }
});

test("stories260K: prompts of unequal length prefill their heads first, then every last token in one call that gets logits in row order", { skip: stories.skip }, async (t) => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1 });
  try {
    const prompts = TEXTS.map((x) => tokenizer.encode(x));
    const recorded = await recordDecodes(engine, { promptIds: prompts, maxNewTokens: 10, fixedLength: true });
    if (!recorded) return t.skip(SKIP_INTERNALS);
    const { calls, result } = recorded;
    assert.equal(result.outputTokens, 30);
    assert.equal(calls.length, 2 + result.decodeStepS.length);
    assert.deepEqual(calls[0].rows.map((r) => [r.tokens, r.logits]), prompts.map((p) => [p.length - 1, 0]));
    assert.deepEqual(calls[1].rows.map((r) => [r.tokens, r.logits]), prompts.map(() => [1, 1]));
    assertLogitsInRowOrder(calls);
  } finally {
    await engine.dispose();
  }
});

test("stories260K: prompts of one length that overflow a small batch size still get their logits in row order", { skip: stories.skip }, async (t) => {
  const { engine, tokenizer } = await openLlamaCppEngine({ modelPath: stories.path, threads: 1, batchSize: 7 });
  try {
    const prompts = TEXTS.map((x) => tokenizer.encode(x).slice(0, 4)); // 12 prompt tokens, 7 a call
    const recorded = await recordDecodes(engine, { promptIds: prompts, maxNewTokens: 6, fixedLength: true });
    if (!recorded) return t.skip(SKIP_INTERNALS);
    assertLogitsInRowOrder(recorded.calls);
    assert.ok(recorded.calls.every((c) => c.rows.reduce((sum, r) => sum + r.tokens, 0) <= 7));
    for (let r = 0; r < prompts.length; r++) {
      const alone = await engine.generate({ promptIds: [prompts[r]], maxNewTokens: 6, fixedLength: true });
      assert.deepEqual(recorded.result.outputIds[r], alone.outputIds[0], `row ${r}`);
    }
  } finally {
    await engine.dispose();
  }
});
