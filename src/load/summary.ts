// A load run in figures: counts and failure kinds, latency percentiles, the steady window's tokens, throughput and
// energy, per-request energy, and goodput against the TTFT/TPOT targets.
//
// Percentiles: numpy.percentile's default (linear between closest ranks), from util/stats.ts, over completed requests.
// Tokens in the window: a request's token arrivals (chunks that carried text) inside [startS, endS], scaled by
// outputTokens / chunks when the server's usage count differs from the chunks it streamed (several tokens a chunk);
// every request counts, failed ones too (the server made those tokens, and spent the window's energy on them).
// Per-request energy: energyJ × tokensInWindow_i / Σ tokensInWindow — a request with no token in the window gets 0,
// and the shares add up to energyJ.
import type { LoadRun, LoadSummary, RequestRecord, Slo } from "./types.js";
import { percentiles } from "../util/stats.js";
import { failureKind } from "./errors.js";

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function latencyPercentiles(values: number[], ps: number[]): (number | null)[] {
  const found = percentiles(values, ps);
  return ps.map((p) => orNull(found[`p${p}`]));
}

/** Output tokens of `record` inside [startS, endS] (see the file's comment for the scaling). */
export function tokensInWindow(record: RequestRecord, startS: number, endS: number): number {
  const chunks = record.tokenTimesS.length;
  if (chunks === 0) return 0;
  const inside = record.tokenTimesS.filter((t) => t >= startS && t <= endS).length;
  return record.outputTokens === chunks ? inside : (inside * record.outputTokens) / chunks;
}

/** Whether a completed request met both targets (one with a single token is judged on TTFT only). */
export function meetsSlo(record: RequestRecord, slo: Slo): boolean {
  if (!record.ok || record.ttftS === null || record.ttftS > slo.ttftS) return false;
  return record.tpotS === null || record.tpotS <= slo.tpotS;
}

function failures(records: RequestRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) if (!r.ok) out[failureKind(r.error ?? "")] = (out[failureKind(r.error ?? "")] ?? 0) + 1;
  return out;
}

interface EnergyFigures {
  steadyOutputTokens: number | null;
  outputTokensPerS: number | null;
  energyJ: number | null;
  jPerOutputToken: number | null;
  avgPowerW: number | null;
  requestEnergyJ: number[] | null;
}

function energyFigures(run: LoadRun, energy: { energyJ: number | null; seconds?: number } | null): EnergyFigures {
  const energyJ = energy?.energyJ ?? null;
  if (!run.steady) return { steadyOutputTokens: null, outputTokensPerS: null, energyJ, jPerOutputToken: null, avgPowerW: null, requestEnergyJ: null };
  const { startS, endS } = run.steady;
  const seconds = endS - startS;
  const inWindow = run.records.map((r) => tokensInWindow(r, startS, endS));
  const tokens = inWindow.reduce((a, b) => a + b, 0);
  const withEnergy = energyJ !== null && Number.isFinite(energyJ);
  const powerSeconds = energy?.seconds ?? seconds;
  return {
    steadyOutputTokens: tokens,
    outputTokensPerS: seconds > 0 ? tokens / seconds : null,
    energyJ,
    jPerOutputToken: withEnergy && tokens > 0 ? energyJ / tokens : null,
    avgPowerW: withEnergy && powerSeconds > 0 ? energyJ / powerSeconds : null,
    requestEnergyJ: withEnergy && tokens > 0 ? inWindow.map((n) => (energyJ * n) / tokens) : null,
  };
}

/** The run's figures; `energy` is the steady window's (null without a meter), `slo` the goodput targets. */
export function summarizeLoad(run: LoadRun, energy: { energyJ: number | null; seconds?: number } | null, slo: Slo): LoadSummary {
  const done = run.records.filter((r) => r.ok);
  const pick = (f: (r: RequestRecord) => number | null) => done.map(f).filter((x): x is number => x !== null);
  const [ttftP50S, ttftP90S, ttftP99S] = latencyPercentiles(pick((r) => r.ttftS), [50, 90, 99]);
  const [itlP50S, itlP99S] = latencyPercentiles(done.flatMap((r) => r.itlS), [50, 99]);
  const [tpotP50S, tpotP99S] = latencyPercentiles(pick((r) => r.tpotS), [50, 99]);
  const [e2eP50S, e2eP99S] = latencyPercentiles(pick((r) => r.e2eS), [50, 99]);
  const goodRequests = done.filter((r) => meetsSlo(r, slo)).length;
  const perS = (n: number) => (run.wallS > 0 ? n / run.wallS : 0);
  return {
    requests: run.records.length,
    completed: done.length,
    failed: run.records.length - done.length,
    failureReasons: failures(run.records),
    ttftP50S, ttftP90S, ttftP99S, itlP50S, itlP99S, tpotP50S, tpotP99S, e2eP50S, e2eP99S,
    steadyStartS: run.steady?.startS ?? null,
    steadyEndS: run.steady?.endS ?? null,
    steadySeconds: run.steady ? run.steady.endS - run.steady.startS : null,
    steadyReason: run.steadyReason,
    ...energyFigures(run, energy),
    requestsPerS: perS(done.length),
    wallS: run.wallS,
    goodRequests,
    goodputShare: run.records.length ? goodRequests / run.records.length : null,
    goodputRequestsPerS: perS(goodRequests),
    slo: { ttftS: slo.ttftS, tpotS: slo.tpotS },
  };
}
