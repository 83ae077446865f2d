// Continuous batching on llama.cpp (LlamaCppEngine.openSlots): requests beyond the sequences wait in a FIFO queue,
// each step's sequences share one llama_decode call, every request gets the tokens it gets alone, and an abort or
// a "stop" frees the sequence for the next request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../../src/engine/load.js";
import { hasSlots, type SlotRequest } from "../../../src/engine/slots.js";
import { resolveModel } from "../../../src/lab/models.js";

async function tinySlots(t: { after(fn: () => unknown): void }, sequences: number) {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-slots-"));
  t.after(() => rmSync(modelsDir, { recursive: true, force: true }));
  const { dir } = await resolveModel("tiny", "fp32", "llama.cpp", { modelsDir });
  const { engine } = await openEngine({ engine: "llama.cpp", modelDir: dir, threads: 1 });
  t.after(() => engine.dispose());
  assert.ok(hasSlots(engine), "the llama.cpp engine offers slots");
  const slots = await engine.openSlots({ sequences, contextSize: 256 });
  return { engine, slots };
}

const request = (promptIds: number[], maxNewTokens: number, onToken: SlotRequest["onToken"] = () => undefined): SlotRequest =>
  ({ promptIds, maxNewTokens, onToken });

test("6 requests on 2 sequences: FIFO, at most 2 per decode call, each as alone", async (t) => {
  const { engine, slots } = await tinySlots(t, 2);
  assert.equal(slots.capacity, 2);
  assert.equal(slots.contextSize, 256);
  await assert.rejects(engine.generate({ promptIds: [[1, 2]], maxNewTokens: 2, fixedLength: true }), /slots are open/);
  const prompts = [0, 1, 2, 3, 4, 5].map((i) => Array.from({ length: 3 + i }, (_, k) => 1 + ((k * 31 + i * 7) % 500)));
  const order: number[] = [];
  const results = await Promise.all(prompts.map((p, i) => slots.generate(request(p, 12, () => { if (!order.includes(i)) order.push(i); }))));
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5], "first come, first served");
  assert.ok(results.every((r) => r.finish === "length" && r.outputIds.length === 12));
  assert.ok(results[0].queuedS < results[5].queuedS, "the last waited longest");
  const stats = slots.stats();
  assert.equal(stats.maxSequencesPerDecode, 2);
  assert.deepEqual([stats.active, stats.waiting], [0, 0]);
  for (const [i, p] of prompts.entries()) {
    const alone = await slots.generate(request(p, 12));
    assert.deepEqual(results[i].outputIds, alone.outputIds, `request ${i}`);
  }
  await slots.close();
  await assert.rejects(slots.generate(request([1], 1)), /closed/);
});

test("an abort or a stop frees the sequence; a prompt over the context is refused", async (t) => {
  const { slots } = await tinySlots(t, 1);
  const aborter = new AbortController();
  let seen = 0;
  const long = slots.generate({ ...request([1, 5, 9], 200, () => { if (++seen === 4) aborter.abort(); }), signal: aborter.signal });
  const stopped = slots.generate(request([1, 5, 9], 200, (step) => (step.processedTokens === 1 ? "stop" : undefined)));
  const after = slots.generate(request([1, 7], 3));
  const [a, s, n] = await Promise.all([long, stopped, after]);
  assert.deepEqual([a.finish, a.outputIds.length], ["aborted", 4]);
  assert.deepEqual([s.finish, s.outputIds.length], ["stopped", 2], "the first token counts the prompt, the second stops");
  assert.deepEqual([n.finish, n.outputIds.length], ["length", 3]);
  await assert.rejects(slots.generate(request(Array(250).fill(1), 10)), /250 prompt tokens \+ maxNewTokens 10 exceeds the 256 tokens of a sequence/);
  await assert.rejects(slots.generate(request([1, 9999], 1)), /token id 9999, outside the vocabulary of 512/);
  await slots.close();
});
