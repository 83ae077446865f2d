// Bad requests get an OpenAI-style error in one clear line, and a client that goes away frees its slot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/load.js";
import type { EngineName } from "../../src/engine/types.js";
import { startServer } from "../../src/serve/index.js";
import { getJson, post, promptIdsOf, stream, tinyModels } from "./client.js";

test("bad requests: 400 (404, 405) with {error: {message, type}} naming the field and the fix", async (t) => {
  const models = await tinyModels(t);
  const { engine, tokenizer } = await openEngine({ engine: "onnxruntime", modelDir: models.onnx, threads: 1 });
  t.after(() => engine.dispose());
  const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0 });
  t.after(() => server.close());
  const completions = `${server.url}/v1/completions`;
  const cases: Array<[string, object | string, number, RegExp]> = [
    ["bad JSON", "{\"prompt\": ", 400, /not valid JSON/],
    ["not an object", "[1, 2]", 400, /must be a JSON object/],
    ["unknown model", { model: "gpt-4", prompt: "hi" }, 400, /model "gpt-4" is not served here; this server serves "tiny"/],
    ["missing prompt", { model: "tiny", max_tokens: 4 }, 400, /prompt is missing/],
    ["prompt + max_tokens over the context", { prompt: promptIdsOf(100), max_tokens: 2000 }, 400,
      /the prompt \(100 tokens\) \+ max_tokens \(2000\) exceeds the context of 2048 tokens per request; lower max_tokens or shorten the prompt/],
    ["token id outside the vocabulary", { prompt: [1, 2, 99999] }, 400, /token id 99999 is outside the model's vocabulary of 512/],
    ["max_tokens 0", { prompt: "hi", max_tokens: 0 }, 400, /max_tokens must be a whole number ≥ 1, got 0/],
    ["min_tokens over max_tokens", { prompt: "hi", max_tokens: 4, min_tokens: 8 }, 400, /min_tokens \(8\) exceeds max_tokens \(4\)/],
    ["n 2", { prompt: "hi", n: 2 }, 400, /n must be 1/],
    ["several prompts", { prompt: ["a", "b"] }, 400, /one prompt per request/],
  ];
  for (const [what, body, status, message] of cases) {
    const answer = await post(completions, body);
    assert.equal(answer.status, status, what);
    assert.match(answer.json.error.message, message, what);
    assert.equal(answer.json.error.type, "invalid_request_error", what);
    assert.ok(!answer.json.error.message.includes("\n"), `${what}: one line`);
  }
  const chat = await post(`${server.url}/v1/chat/completions`, { messages: [] });
  assert.equal(chat.status, 400);
  assert.match(chat.json.error.message, /messages is missing or empty/);
  const route = await post(`${server.url}/v1/embeddings`, { input: "x" });
  assert.equal(route.status, 404);
  assert.match(route.json.error.message, /no route POST \/v1\/embeddings/);
  const method = await fetch(completions);
  assert.equal(method.status, 405);
  // the server still answers after all that
  assert.equal((await post(completions, { prompt: "hi", max_tokens: 2 })).status, 200);
  assert.equal((await getJson(`${server.url}/metrics`)).requests.rejected, cases.length + 3);
});

for (const name of ["llama.cpp", "onnxruntime"] as EngineName[]) {
  test(`${name}: a client that disconnects mid-stream frees its slot; the next request completes`, async (t) => {
    const models = await tinyModels(t);
    const { engine, tokenizer } = await openEngine({ engine: name, modelDir: name === "llama.cpp" ? models.gguf : models.onnx, threads: 1 });
    t.after(() => engine.dispose());
    const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0, maxConcurrency: 1 });
    t.after(() => server.close());
    const url = `${server.url}/v1/completions`;
    const aborter = new AbortController();
    const cut = stream(url, { prompt: promptIdsOf(8), max_tokens: 2000, ignore_eos: true }, {
      signal: aborter.signal, onChunk: (n) => { if (n === 3) aborter.abort(); },
    });
    await assert.rejects(cut, /abort/i);
    // one slot: this completes only once the disconnected request has left it
    const next = await stream(url, { prompt: promptIdsOf(8), max_tokens: 5, ignore_eos: true, stream_options: { include_usage: true } });
    assert.equal(next.usage?.completion_tokens, 5);
    const metrics = await getJson(`${server.url}/metrics`);
    assert.equal(metrics.requests.aborted, 1);
    assert.equal(metrics.requests.completed, 1);
    assert.ok(metrics.engine.steps < 1000, `the disconnected request stopped early (${metrics.engine.steps} steps in all)`);
  });
}
