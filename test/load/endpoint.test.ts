// The request as the server sees it: the path with or without /v1 at the endpoint's end, chat mode's messages and
// delta.content, the body's streaming, max_tokens and ignore-EOS fields; and the API key sent but never returned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runLoad, summarizeLoad, DEFAULT_SLO, requestUrl } from "../../src/load/index.js";
import { closedPort, loadOptions, startStandIn } from "./stand-in-server.js";

test("requestUrl: a base with or without /v1 (and trailing slashes) gives the same path", () => {
  for (const base of ["http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/"]) {
    assert.equal(requestUrl(base, false), "http://h:8000/v1/completions");
    assert.equal(requestUrl(base, true), "http://h:8000/v1/chat/completions");
  }
  assert.equal(requestUrl("http://h/proxy/v1", false), "http://h/proxy/v1/completions");
});

for (const suffix of ["", "/v1", "/v1/"]) {
  test(`completions through endpoint "…${suffix}": the body streams, asks for usage, max_tokens and EOS ignored`, async () => {
    const server = await startStandIn();
    try {
      const run = await runLoad(loadOptions(server.url + suffix, { numRequests: 2, maxTokens: 6, prompts: (i) => ({ prompt: i ? [1, 2, 3] : "hello", promptTokens: 3 }) }));
      assert.deepEqual(run.records.map((r) => [r.ok, r.outputTokens]), [[true, 6], [true, 6]]);
      assert.deepEqual(server.requests.map((r) => r.path), ["/v1/completions", "/v1/completions"]);
      assert.deepEqual(server.requests[0].body, {
        model: "stand-in", prompt: "hello", max_tokens: 6, stream: true, stream_options: { include_usage: true }, ignore_eos: true, min_tokens: 6,
      });
      assert.deepEqual(server.requests[1].body.prompt, [1, 2, 3], "token ids go as they are");
    } finally {
      await server.close();
    }
  });
}

test("chat mode: /v1/chat/completions with one user message, tokens read from delta.content; ignoreEos off sends neither field", async () => {
  const server = await startStandIn({ tokenDelayMs: 5 });
  try {
    const run = await runLoad(loadOptions(server.url, { chat: true, ignoreEos: false, numRequests: 3, maxTokens: 5 }));
    assert.deepEqual(run.records.map((r) => [r.ok, r.outputTokens, r.tokenTimesS.length]), [[true, 5, 5], [true, 5, 5], [true, 5, 5]]);
    assert.ok(server.requests.every((r) => r.path === "/v1/chat/completions"));
    assert.deepEqual(server.requests[0].body.messages, [{ role: "user", content: "prompt 0" }]);
    assert.equal("prompt" in server.requests[0].body, false);
    assert.equal("ignore_eos" in server.requests[0].body || "min_tokens" in server.requests[0].body, false);
  } finally {
    await server.close();
  }
});

test("without usage the tokens are the chunks that carried text, and the prompt count is the sweep's", async () => {
  const server = await startStandIn({ usage: false });
  try {
    const run = await runLoad(loadOptions(server.url, { numRequests: 2, maxTokens: 7 }));
    assert.deepEqual(run.records.map((r) => [r.ok, r.outputTokens, r.tokenCountSource, r.promptTokens]), [[true, 7, "stream", 3], [true, 7, "stream", 3]]);
  } finally {
    await server.close();
  }
});

const KEY = "sk-test-7f3a9c0d1e2b4a68";

test("the API key is sent as a Bearer token, and appears in no record, summary or failure reason", async () => {
  const server = await startStandIn();
  try {
    const run = await runLoad(loadOptions(server.url, {
      apiKey: KEY, numRequests: 4, prompts: (i) => ({ prompt: i === 2 ? "echo-key" : `p${i}`, promptTokens: 1 }),
    }));
    assert.ok(server.requests.every((r) => r.authorization === `Bearer ${KEY}`));
    assert.equal(run.records[2].error, "HTTP 401: invalid key Bearer [api key]", "a key the server echoed is struck out");
    const text = JSON.stringify(run) + JSON.stringify(summarizeLoad(run, { energyJ: 1 }, DEFAULT_SLO));
    assert.equal(text.includes(KEY), false);
  } finally {
    await server.close();
  }
  const port = await closedPort();
  const refused = await runLoad(loadOptions(`http://127.0.0.1:${port}`, { apiKey: KEY, numRequests: 1 }));
  assert.equal(JSON.stringify(refused).includes(KEY), false);
  await assert.rejects(runLoad(loadOptions("not a url", { apiKey: KEY })), (e: Error) => !String(e.message + e.stack).includes(KEY));
});

test("no key, no Authorization header", async () => {
  const server = await startStandIn();
  try {
    await runLoad(loadOptions(server.url, { numRequests: 1 }));
    assert.equal(server.requests[0].authorization, undefined);
  } finally {
    await server.close();
  }
});
