// Concurrent requests are batched: on llama.cpp one context's sequences share each llama_decode call (continuous
// batching), on onnxruntime requests arriving together run as one batch. Either way every request gets exactly the
// tokens it asked for, and the same text it gets alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/load.js";
import type { EngineName } from "../../src/engine/types.js";
import { startServer } from "../../src/serve/index.js";
import { getJson, promptIdsOf, stream, tinyModels, type Streamed } from "./client.js";

const CASES: Array<{ engine: EngineName; batching: string; path: "onnx" | "gguf" }> = [
  { engine: "llama.cpp", batching: "continuous", path: "gguf" },
  { engine: "onnxruntime", batching: "request", path: "onnx" },
];

for (const { engine: name, batching, path } of CASES) {
  test(`${name}: 4 concurrent streaming requests share decode calls and each gets its tokens and its own text`, async (t) => {
    const models = await tinyModels(t);
    const { engine, tokenizer } = await openEngine({ engine: name, modelDir: models[path], threads: 1 });
    t.after(() => engine.dispose());
    const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0, maxConcurrency: 4, batchWaitMs: 50 });
    t.after(() => server.close());
    assert.equal(server.batching, batching);

    // different prompt lengths and max_tokens: llama.cpp sequences join and leave at their own steps, onnxruntime pads
    const requests = [0, 1, 2, 3].map((i) => ({ prompt: promptIdsOf(8 + 5 * i, i), max_tokens: 40 + 10 * i, ignore_eos: true, stream_options: { include_usage: true } }));
    const together = await Promise.all(requests.map((body) => stream(`${server.url}/v1/completions`, body)));
    const metrics = await getJson(`${server.url}/metrics`);
    assert.ok(metrics.engine.max_sequences_per_decode > 1, `a decode call carried ${metrics.engine.max_sequences_per_decode} sequences`);
    assert.equal(metrics.requests.completed, 4);
    together.forEach((answer: Streamed, i) => {
      assert.equal(answer.tokenChunks, requests[i].max_tokens, `request ${i}: one chunk per token`);
      assert.equal(answer.usage?.completion_tokens, requests[i].max_tokens, `request ${i}`);
      assert.equal(answer.usage?.prompt_tokens, requests[i].prompt.length);
      assert.equal(answer.finishReason, "length");
    });
    assert.ok(Math.max(...together.map((a) => a.usage!.batch_size_max)) > 1, "usage says a request ran beside others");

    for (const [i, body] of requests.entries()) {
      const alone = await stream(`${server.url}/v1/completions`, body);
      assert.equal(alone.usage?.batch_size_max, 1, `request ${i} alone`);
      assert.equal(together[i].text, alone.text, `request ${i}: batched text equals its text alone`);
    }
  });
}
