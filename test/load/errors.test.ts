// Every way a request can fail is a failed record with a one-line reason, the other requests complete, and the run
// returns promptly: a 500 with an error JSON, a stream cut, a clean end without [DONE], an error inside the stream,
// a response slower than the timeout, a server that ignores max_tokens or stream: true, a closed port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runLoad, summarizeLoad, DEFAULT_SLO } from "../../src/load/index.js";
import { closedPort, loadOptions, startStandIn } from "./stand-in-server.js";

const FAULTS = ["fail-500", "cut-3", "end-2", "stream-error", "stall", "many-40", "no-stream"];

test("each fault is a failed record with its one-line reason, and the requests between them complete", async () => {
  const server = await startStandIn({ tokenDelayMs: 5 });
  // Request 2k is a good one, 2k + 1 the k-th fault.
  const prompt = (i: number) => (i % 2 === 0 ? `good ${i}` : FAULTS[(i - 1) / 2]);
  try {
    const started = performance.now();
    const run = await runLoad(loadOptions(server.url, {
      arrival: { kind: "closed", concurrency: 3 }, numRequests: 2 * FAULTS.length, maxTokens: 16, requestTimeoutS: 1.5,
      prompts: (i) => ({ prompt: prompt(i), promptTokens: 2 }),
    }));
    assert.ok(performance.now() - started < 8000, "no hang: the stalled request gave up after its timeout");
    const errors = Object.fromEntries(run.records.filter((r) => r.index % 2 === 1).map((r) => [prompt(r.index), r.error]));
    assert.deepEqual(errors, {
      "fail-500": "HTTP 500: model overloaded",
      "cut-3": "stream cut after 3 tokens",
      "end-2": "stream cut after 2 tokens",
      "stream-error": "server error after 2 tokens: out of KV cache",
      stall: "timed out after 1.5 s",
      "many-40": "server returned 40 tokens for max_tokens 16",
      "no-stream": "not streamed: the server answered with content-type application/json; it must accept stream: true",
    });
    assert.ok(run.records.filter((r) => r.index % 2 === 1).every((r) => !r.ok));
    assert.ok(run.records.filter((r) => r.index % 2 === 0).every((r) => r.ok && r.outputTokens === 16), `the good requests completed: ${run.records.map((r) => r.error).join(", ")}`);
    const stalled = run.records.find((r) => prompt(r.index) === "stall")!;
    assert.ok(stalled.e2eS >= 1.5 && stalled.e2eS < 4, `stalled request ended after ${stalled.e2eS} s`);
    const cut = run.records.find((r) => prompt(r.index) === "cut-3")!;
    assert.equal(cut.outputTokens, 3, "a cut stream keeps the tokens it got");
    const summary = summarizeLoad(run, null, DEFAULT_SLO);
    assert.equal(summary.failed, FAULTS.length);
    assert.equal(summary.completed, FAULTS.length);
    assert.deepEqual(summary.failureReasons, { "HTTP 500": 1, "stream cut": 2, "server error": 1, "timed out": 1, "too many tokens": 1, "not streamed": 1 });
  } finally {
    await server.close();
  }
});

test("a closed port: every request fails 'connection refused', the run returns with no steady token, nothing throws", async () => {
  const port = await closedPort();
  const run = await runLoad(loadOptions(`http://127.0.0.1:${port}/v1`, { arrival: { kind: "closed", concurrency: 2 }, numRequests: 5 }));
  assert.equal(run.records.length, 5);
  for (const r of run.records) {
    assert.equal(r.ok, false);
    assert.match(r.error!, new RegExp(`^connection refused: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));
    assert.equal(r.outputTokens, 0);
    assert.equal(r.ttftS, null);
  }
  const summary = summarizeLoad(run, { energyJ: 12 }, DEFAULT_SLO);
  assert.deepEqual(summary.failureReasons, { "connection refused": 5 });
  assert.equal(summary.ttftP50S, null);
  assert.equal(summary.goodRequests, 0);
  assert.equal(summary.goodputShare, 0);
  assert.equal(summary.jPerOutputToken, null, "no tokens: no J/token");
  assert.equal(summary.requestEnergyJ, null);
});

test("an open loop against a closed port returns too, with the reason it found no steady state", async () => {
  const port = await closedPort();
  const run = await runLoad(loadOptions(`http://127.0.0.1:${port}`, { arrival: { kind: "open", requestRatePerS: 200, seed: 1 }, numRequests: 4 }));
  assert.equal(run.records.filter((r) => !r.ok).length, 4);
  assert.equal(run.steady, null);
  assert.equal(run.steadyReason, "no request produced a token: no steady state");
});

test("a prompt that cannot be built is a failed record; bad options are refused with one line naming the option", async () => {
  const server = await startStandIn();
  try {
    const run = await runLoad(loadOptions(server.url, {
      numRequests: 3, prompts: (i) => { if (i === 1) throw new Error("no prompt of 9999 tokens in alpaca\nstack"); return { prompt: "x", promptTokens: 1 }; },
    }));
    assert.deepEqual(run.records.map((r) => r.error), [null, "prompt 1: no prompt of 9999 tokens in alpaca", null]);
    assert.equal(run.records[1].promptTokens, null);
  } finally {
    await server.close();
  }
  await assert.rejects(runLoad(loadOptions("localhost:8000")), /^TypeError: load: endpoint must be an http:\/\/ or https:\/\/ URL such as http:\/\/127\.0\.0\.1:8000 or http:\/\/host:8000\/v1, got "localhost:8000"$/);
  await assert.rejects(runLoad(loadOptions("http://127.0.0.1:1", { arrival: { kind: "closed", concurrency: 0 } })), /load: concurrency must be a whole number ≥ 1, got 0/);
  await assert.rejects(runLoad(loadOptions("http://127.0.0.1:1", { arrival: { kind: "open", requestRatePerS: -1, seed: 0 } })), /load: request_rate \(requests\/s\) must be a number > 0, got -1/);
  await assert.rejects(runLoad(loadOptions("http://127.0.0.1:1", { maxTokens: 1.5 })), /load: max_tokens must be a whole number ≥ 1, got 1\.5/);
});
