// Closed loop against a stand-in server: every request answered and timed, N in flight, and the steady-state window
// from the moment N are in flight until the drain begins, with the hooks called there once each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runLoad, type LoadRun } from "../../src/load/index.js";
import { loadOptions, startStandIn } from "./stand-in-server.js";

const TOKEN_DELAY_MS = 20;
const FIRST_DELAY_MS = 30;

function assertRecordsPlausible(run: LoadRun, requests: number, tokens: number): void {
  assert.equal(run.records.length, requests);
  assert.deepEqual(run.records.map((r) => r.index), [...Array(requests).keys()]);
  for (const r of run.records) {
    assert.equal(r.ok, true, r.error ?? "");
    assert.equal(r.error, null);
    assert.equal(r.outputTokens, tokens);
    assert.equal(r.tokenCountSource, "usage");
    assert.equal(r.promptTokens, 11, "usage.prompt_tokens wins over the prompt's own count");
    assert.equal(r.tokenTimesS.length, tokens);
    assert.equal(r.itlS.length, tokens - 1);
    // The server sends the first token after both delays and each later one a delay after the one before, so the
    // first token and the last cannot come sooner (a busy client may read two tokens in one go, so a single gap may be
    // short); upper bounds are generous.
    assert.ok(r.ttftS! >= (FIRST_DELAY_MS + TOKEN_DELAY_MS) / 1000 - 0.005 && r.ttftS! < 3, `ttft ${r.ttftS}`);
    const lastTokenS = r.tokenTimesS[tokens - 1] - r.sentS;
    assert.ok(lastTokenS >= (FIRST_DELAY_MS + tokens * TOKEN_DELAY_MS) / 1000 - 0.005, `last token after ${lastTokenS} s`);
    for (const gap of r.itlS) assert.ok(gap >= 0 && gap < 3, `itl ${gap}`);
    assert.ok(Math.abs(r.itlS.reduce((a, b) => a + b, 0) - (lastTokenS - r.ttftS!)) < 1e-9, "the gaps add up to first→last token");
    assert.ok(Math.abs(r.tpotS! - (r.e2eS - r.ttftS!) / (tokens - 1)) < 1e-12);
    assert.ok(r.sentS >= 0 && r.sentS < r.firstTokenS! && r.firstTokenS! <= r.endS && r.endS <= run.wallS);
    assert.ok(Math.abs(r.e2eS - (r.endS - r.sentS)) < 1e-12);
  }
}

for (const concurrency of [1, 4]) {
  test(`closed loop, concurrency ${concurrency}: every request timed, ${concurrency} in flight, the steady window between ramp and drain`, async () => {
    const server = await startStandIn({ tokenDelayMs: TOKEN_DELAY_MS, firstTokenDelayMs: FIRST_DELAY_MS });
    const calls: string[] = [];
    const requests = 3 * concurrency;
    try {
      const run = await runLoad(loadOptions(server.url, {
        arrival: { kind: "closed", concurrency },
        numRequests: requests,
        maxTokens: 5,
        onSteadyStart: () => { calls.push("start"); },
        onSteadyEnd: async () => { calls.push("end"); },
      }));
      assertRecordsPlausible(run, requests, 5);
      assert.equal(server.requests.length, requests);
      assert.equal(server.maxInFlight(), concurrency);
      assert.deepEqual(calls, ["start", "end"]);
      assert.ok(run.steady, run.steadyReason);
      const lastSent = Math.max(...run.records.map((r) => r.sentS));
      assert.equal(run.steady.startS, run.records[concurrency - 1].sentS, "starts when request N is sent");
      assert.equal(run.steady.endS, Math.min(...run.records.filter((r) => r.endS > lastSent).map((r) => r.endS)), "ends at the drain's first end");
      assert.ok(run.steady.startS >= 0 && run.steady.startS < run.steady.endS && run.steady.endS <= run.wallS);
      assert.match(run.steadyReason, /^closed loop: from request \d+ sent/);
    } finally {
      await server.close();
    }
  });
}

test("the steady hooks are awaited without holding the load up, and in order", async () => {
  const server = await startStandIn({ tokenDelayMs: 10 });
  const events: string[] = [];
  try {
    const run = await runLoad(loadOptions(server.url, {
      arrival: { kind: "closed", concurrency: 2 },
      numRequests: 12,
      maxTokens: 3,
      onSteadyStart: async () => {
        const before = server.requests.length;
        await new Promise((resolve) => setTimeout(resolve, 150));
        events.push(`start: ${server.requests.length - before} more requests sent meanwhile`);
      },
      onSteadyEnd: () => { events.push("end"); },
    }));
    assert.equal(events.length, 2, events.join("; "));
    assert.doesNotMatch(events[0], /: 0 more/, "requests kept flowing while onSteadyStart ran");
    assert.equal(events[1], "end");
    assert.equal(run.records.filter((r) => r.ok).length, 12);
  } finally {
    await server.close();
  }
});

test("num_requests ≤ concurrency: no steady window, a reason that says what to do, and no hooks called", async () => {
  const server = await startStandIn();
  let hooks = 0;
  try {
    const run = await runLoad(loadOptions(server.url, {
      arrival: { kind: "closed", concurrency: 4 }, numRequests: 4,
      onSteadyStart: () => { hooks++; }, onSteadyEnd: () => { hooks++; },
    }));
    assert.equal(run.steady, null);
    assert.equal(run.steadyReason, "num_requests 4 ≤ concurrency 4: no steady state; use num_requests ≥ 2 × concurrency (8)");
    assert.equal(hooks, 0);
    assert.equal(run.records.filter((r) => r.ok).length, 4);
  } finally {
    await server.close();
  }
});

test("a duration stops new requests before num_requests is reached", async () => {
  const server = await startStandIn({ tokenDelayMs: 20 });
  try {
    const run = await runLoad(loadOptions(server.url, { arrival: { kind: "closed", concurrency: 2 }, numRequests: 1000, durationS: 0.3, maxTokens: 4 }));
    assert.ok(run.records.length >= 2 && run.records.length < 1000, `${run.records.length} requests`);
    assert.ok(run.records.every((r) => r.ok && r.sentS <= 0.3 + 0.2));
    assert.ok(run.steady && run.steady.endS > run.steady.startS, run.steadyReason);
  } finally {
    await server.close();
  }
});

test("an abort stops the load: requests in flight end as failed 'aborted', and runLoad still returns", async () => {
  const server = await startStandIn({ tokenDelayMs: 50 });
  const controller = new AbortController();
  try {
    setTimeout(() => controller.abort(), 120);
    const run = await runLoad(loadOptions(server.url, { arrival: { kind: "closed", concurrency: 2 }, numRequests: 100, maxTokens: 20, signal: controller.signal }));
    assert.ok(run.records.length >= 2 && run.records.length < 100);
    assert.ok(run.records.some((r) => r.error === "aborted"));
    assert.equal(run.steady, null);
    assert.match(run.steadyReason, /aborted/);
  } finally {
    await server.close();
  }
});
