// summarizeLoad: per-request energies that add up to the window's energy, tokens counted inside the window (scaled
// where the server packs several tokens a chunk), J/token, power, percentiles, goodput against the targets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runLoad, summarizeLoad, tokensInWindow, DEFAULT_SLO, type LoadRun, type RequestRecord } from "../../src/load/index.js";
import { percentile } from "../../src/util/stats.js";
import { loadOptions, startStandIn } from "./stand-in-server.js";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test("against a server that packs 2 tokens a chunk: per-request energies add up to the window's energy", async () => {
  const server = await startStandIn({ tokenDelayMs: 8, tokensPerChunk: 2 });
  try {
    const run = await runLoad(loadOptions(server.url, { arrival: { kind: "closed", concurrency: 3 }, numRequests: 12, maxTokens: 7 }));
    assert.ok(run.steady, run.steadyReason);
    assert.ok(run.records.every((r) => r.ok && r.outputTokens === 7 && r.tokenTimesS.length === 4 && r.tokenCountSource === "usage"));
    const energyJ = 37.25;
    const s = summarizeLoad(run, { energyJ }, DEFAULT_SLO);
    const { startS, endS } = run.steady;
    const inWindow = run.records.map((r) => r.tokenTimesS.filter((t) => t >= startS && t <= endS).length * 7 / 4);
    assert.ok(Math.abs(s.steadyOutputTokens! - sum(inWindow)) < 1e-9);
    assert.ok(s.steadyOutputTokens! > 0);
    assert.ok(Math.abs(sum(s.requestEnergyJ!) - energyJ) <= 1e-9 * energyJ, `Σ ${sum(s.requestEnergyJ!)} vs ${energyJ}`);
    s.requestEnergyJ!.forEach((e, i) => assert.ok(Math.abs(e - energyJ * inWindow[i] / sum(inWindow)) < 1e-12));
    assert.equal(s.jPerOutputToken, energyJ / s.steadyOutputTokens!);
    assert.equal(s.steadySeconds, endS - startS);
    assert.equal(s.outputTokensPerS, s.steadyOutputTokens! / (endS - startS));
    assert.equal(s.avgPowerW, energyJ / (endS - startS), "power over the window's own length when the meter gives none");
    assert.equal(summarizeLoad(run, { energyJ, seconds: 2.5 }, DEFAULT_SLO).avgPowerW, energyJ / 2.5, "or over the meter's seconds");
    assert.equal(s.completed, 12);
    assert.equal(s.ttftP50S, percentile(run.records.map((r) => r.ttftS!), 50));
    assert.equal(s.itlP99S, percentile(run.records.flatMap((r) => r.itlS), 99));
  } finally {
    await server.close();
  }
});

/** A record with tokens at `times` (s since the run began), sent at `sentS`. */
function record(index: number, sentS: number, times: number[], extra: Partial<RequestRecord> = {}): RequestRecord {
  const endS = (times[times.length - 1] ?? sentS) + 0.01;
  const ttftS = times.length ? times[0] - sentS : null;
  const outputTokens = extra.outputTokens ?? times.length;
  return {
    index, sentS, firstTokenS: times[0] ?? null, endS, ttftS, e2eS: endS - sentS,
    itlS: times.slice(1).map((t, i) => t - times[i]),
    tpotS: ttftS !== null && outputTokens >= 2 ? (endS - sentS - ttftS) / (outputTokens - 1) : null,
    promptTokens: 5, outputTokens, tokenTimesS: times, tokenCountSource: "stream", ok: true, error: null, ...extra,
  };
}

const RUN: LoadRun = {
  wallS: 10,
  steady: { startS: 2, endS: 6 },
  steadyReason: "test",
  records: [
    record(0, 0, [0.5, 0.55, 0.6]), // all before the window: 0 tokens in it; TTFT 0.5 s, TPOT 55 ms: good
    record(1, 1, [1.5, 2.5, 3.5, 4.5]), // 3 in the window; TTFT 0.5 s, TPOT ≈ 1 s: misses the 0.1 s TPOT
    record(2, 2, [2.05, 2.1, 2.15]), // 3 in; TTFT 50 ms, TPOT 55 ms: good
    record(3, 3, [3.2]), // one token: judged on TTFT only: good
    record(4, 3, [5.5, 5.6], { outputTokens: 6 }), // 2 chunks, 6 tokens by usage: 6 in the window; TTFT 2.5 s: not good
    record(5, 4, [], { ok: false, error: "HTTP 503: busy", endS: 4.1, e2eS: 0.1 }),
    record(6, 4, [4.5, 4.6, 4.7, 6.5], { ok: false, error: "stream cut after 4 tokens" }), // 3 in: failed, but its tokens were made
    record(7, 4, [4.2, 4.3], { ttftS: 3, firstTokenS: 7 }), // TTFT over 2 s: not good
  ],
};

test("tokens in the window: only arrivals inside it, scaled when usage counted more tokens than chunks", () => {
  assert.deepEqual(RUN.records.map((r) => tokensInWindow(r, 2, 6)), [0, 3, 3, 1, 6, 0, 3, 2]);
});

test("a synthetic run: window tokens, per-request energy (0 outside the window), failures and goodput", () => {
  const s = summarizeLoad(RUN, { energyJ: 90 }, DEFAULT_SLO);
  assert.equal(s.steadyOutputTokens, 18);
  assert.deepEqual(s.requestEnergyJ, [0, 15, 15, 5, 30, 0, 15, 10]);
  assert.equal(s.jPerOutputToken, 5);
  assert.equal(s.avgPowerW, 22.5);
  assert.equal(s.outputTokensPerS, 4.5);
  assert.equal(s.steadySeconds, 4);
  assert.deepEqual([s.requests, s.completed, s.failed], [8, 6, 2]);
  assert.deepEqual(s.failureReasons, { "HTTP 503": 1, "stream cut": 1 });
  assert.equal(s.goodRequests, 3, "requests 0, 2 and 3");
  assert.equal(s.goodputShare, 3 / 8);
  assert.equal(s.goodputRequestsPerS, 0.3);
  assert.equal(s.requestsPerS, 0.6);
  assert.equal(s.ttftP90S, percentile([0.5, 0.5, 0.05, 0.2, 2.5, 3], 90));
  assert.deepEqual(s.slo, DEFAULT_SLO);
  const strict = summarizeLoad(RUN, null, { ttftS: 0.1, tpotS: 0.1 });
  assert.equal(strict.goodRequests, 1, "only request 2 meets a 0.1 s TTFT");
  assert.deepEqual(strict.slo, { ttftS: 0.1, tpotS: 0.1 });
});

test("without energy, or without a window, the energy figures are null and say nothing false", () => {
  const noEnergy = summarizeLoad(RUN, null, DEFAULT_SLO);
  assert.deepEqual([noEnergy.energyJ, noEnergy.jPerOutputToken, noEnergy.avgPowerW, noEnergy.requestEnergyJ], [null, null, null, null]);
  assert.equal(noEnergy.steadyOutputTokens, 18);
  const nullEnergy = summarizeLoad(RUN, { energyJ: null }, DEFAULT_SLO);
  assert.equal(nullEnergy.jPerOutputToken, null);
  const noWindow = summarizeLoad({ ...RUN, steady: null, steadyReason: "num_requests 4 ≤ concurrency 4: …" }, { energyJ: 90 }, DEFAULT_SLO);
  assert.deepEqual([noWindow.steadySeconds, noWindow.steadyOutputTokens, noWindow.jPerOutputToken, noWindow.avgPowerW, noWindow.requestEnergyJ], [null, null, null, null, null]);
  assert.equal(noWindow.steadyReason, "num_requests 4 ≤ concurrency 4: …");
  assert.equal(noWindow.energyJ, 90);
  const empty = summarizeLoad({ records: [], steady: null, steadyReason: "aborted", wallS: 0 }, null, DEFAULT_SLO);
  assert.deepEqual([empty.requests, empty.goodputShare, empty.requestsPerS, empty.ttftP50S], [0, null, 0, null]);
});
