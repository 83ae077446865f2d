// Open loop: seeded Poisson arrivals (the same seed, the same schedule), requests sent on it, and the steady window
// from the first token until the first request ends after arrivals stop.
import { test } from "node:test";
import assert from "node:assert/strict";
import { poissonArrivalsS, runLoad } from "../../src/load/index.js";
import { loadOptions, startStandIn } from "./stand-in-server.js";

test("the same rate and seed give the same arrival times; another seed other ones; the mean gap is 1/rate", () => {
  const a = poissonArrivalsS(20, 7, 50), b = poissonArrivalsS(20, 7, 50);
  assert.deepEqual(a, b);
  assert.equal(a[0], 0);
  assert.notDeepEqual(poissonArrivalsS(20, 8, 50), a);
  const many = poissonArrivalsS(20, 3, 20001);
  const meanGap = many[many.length - 1] / (many.length - 1);
  assert.ok(Math.abs(meanGap - 1 / 20) < 0.05 / 20, `mean gap ${meanGap} s, expected 0.05 s within 5%`);
  assert.ok(many.every((t, i) => i === 0 || t > many[i - 1]), "arrivals strictly increase");
});

test("a seeded open loop sends on its schedule, twice the same; the steady window runs from the first token to the drain", async () => {
  const server = await startStandIn({ tokenDelayMs: 10 });
  const rate = 25, seed = 11, requests = 10;
  const planned = poissonArrivalsS(rate, seed, requests);
  try {
    for (let pass = 0; pass < 2; pass++) {
      const calls: string[] = [];
      const run = await runLoad(loadOptions(server.url, {
        arrival: { kind: "open", requestRatePerS: rate, seed }, numRequests: requests, maxTokens: 4,
        onSteadyStart: () => { calls.push("start"); }, onSteadyEnd: () => { calls.push("end"); },
      }));
      assert.equal(run.records.length, requests);
      assert.ok(run.records.every((r) => r.ok), run.records.map((r) => r.error).join(", "));
      run.records.forEach((r, i) => {
        assert.ok(r.sentS >= planned[i] - 0.005 && r.sentS < planned[i] + 0.25, `pass ${pass}: request ${i} sent at ${r.sentS} s, planned ${planned[i]} s`);
      });
      assert.deepEqual(calls, ["start", "end"]);
      assert.ok(run.steady, run.steadyReason);
      const lastSent = run.records[requests - 1].sentS;
      assert.equal(run.steady.startS, Math.min(...run.records.map((r) => r.firstTokenS!)));
      assert.equal(run.steady.endS, Math.min(...run.records.filter((r) => r.endS > lastSent).map((r) => r.endS)));
      assert.ok(run.steady.startS < run.steady.endS && run.steady.endS <= run.wallS);
      assert.match(run.steadyReason, /^open loop: from the first token/);
    }
  } finally {
    await server.close();
  }
});

test("a first token only after the last arrival: no steady window, the reason says so and what to change", async () => {
  const server = await startStandIn({ firstTokenDelayMs: 50 });
  let hooks = 0;
  try {
    const run = await runLoad(loadOptions(server.url, {
      arrival: { kind: "open", requestRatePerS: 1000, seed: 1 }, numRequests: 1,
      onSteadyStart: () => { hooks++; }, onSteadyEnd: () => { hooks++; },
    }));
    assert.equal(run.records[0].ok, true);
    assert.equal(run.steady, null);
    assert.match(run.steadyReason, /^the first token came at \d+\.\d{3} s, after the last arrival at \d+\.\d{3} s: no steady state; use more requests, a higher request rate or a longer duration$/);
    assert.equal(hooks, 0);
  } finally {
    await server.close();
  }
});

test("a duration ends the arrivals before num_requests", async () => {
  const server = await startStandIn({ tokenDelayMs: 5 });
  try {
    const run = await runLoad(loadOptions(server.url, { arrival: { kind: "open", requestRatePerS: 40, seed: 2 }, numRequests: 100000, durationS: 0.4, maxTokens: 3 }));
    const due = poissonArrivalsS(40, 2, 200).filter((t) => t < 0.4).length;
    assert.ok(run.records.length >= 1 && run.records.length <= due, `${run.records.length} sent, ${due} due before 0.4 s`);
    assert.ok(run.records.every((r) => r.ok && r.sentS < 0.4 + 0.1));
  } finally {
    await server.close();
  }
});
