// A serving sweep, read top to bottom: plan (the levels the store does not hold yet), open (the meter, an idle baseline,
// the machine), then for each level build exact-length prompts, drive the load (src/load) and open one meter window
// over its steady state; one row per level (src/sweep/serving/record.ts) and one line per request are appended.
// A level that throws becomes a failed row and the sweep goes on.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { promptsFor, type PromptTokenizer } from "../../data/prompts.js";
import { describeFallback, resolvePromptPool, type PromptPool } from "../../data/pool.js";
import type { DatasetOptions } from "../../data/datasets.js";
import { fetchModelCard, runLoad, summarizeLoad, type LoadPrompt, type LoadRun, type LoadSummary } from "../../load/index.js";
import type { WindowMeasurement } from "../../meter/types.js";
import { carbonSettingFromEnv, GridCarbon, mergeCarbonSettings, type CarbonSetting } from "../carbon.js";
import { errorText } from "../error-text.js";
import type { RunMetadata } from "../record.js";
import { openFacts } from "../run.js";
import { toCsv } from "../csv.js";
import { ResultStore, writeFileAtomic } from "../store.js";
import type { SweepMeter } from "../types.js";
import { completedServingRecord, failedServingRecord, SERVING_COLUMNS, type ServingContext, type ServingRecord } from "./record.js";
import { expandServing, validateServingSpec, type PlannedServingRun, type ServingSpec } from "./spec.js";

/** A tokenizer that builds prompts and turns ids back into text (for chat and text prompts). */
export type ServingTokenizer = PromptTokenizer & { decode(ids: readonly number[]): string };

export interface ServingDeps {
  /** The tokenizer named by spec.tokenizer (a preset, a folder with tokenizer.json, a hub id). */
  tokenizer(source: string): Promise<ServingTokenizer>;
  /** The meter over the server's devices (its GPUs; the whole machine's CPU where the CPU is estimated). */
  openMeter(): Promise<SweepMeter>;
  datasets?: DatasetOptions;
  metadata?(): Partial<RunMetadata> | Promise<Partial<RunMetadata>>;
}

export interface ServingOptions {
  outDir: string;
  force?: boolean;
  /** Idle baseline before the first level; 0 skips. Units: s. Default 5. */
  idleSeconds?: number;
  carbon?: CarbonSetting;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** One line per level and note; default stderr. */
  say?(message: string): void;
}

export interface ServingSummary {
  planned: number;
  skipped: number;
  completed: number;
  failed: number;
  resultsPath: string;
  csvPath: string;
  /** One JSON line per request: its latencies, tokens, failure and attributed energy. */
  requestsPath: string;
  keys: string[];
}

export async function runServingSweep(spec: ServingSpec, deps: ServingDeps, options: ServingOptions): Promise<ServingSummary> {
  validateServingSpec(spec);
  const say = options.say ?? ((m: string) => console.warn(`wattlab sweep: ${m}`));
  const env = options.env ?? process.env;
  const resultsPath = join(options.outDir, "serving.jsonl");
  const csvPath = join(options.outDir, "serving.csv");
  const requestsPath = join(options.outDir, "serving-requests.jsonl");
  writeFileAtomic(join(options.outDir, "serving-spec.json"), JSON.stringify(spec, null, 2) + "\n");
  const store = ResultStore.open<ServingRecord>(resultsPath, { onWarning: (w) => say(`${w.file}:${w.line}: ${w.message}`) });
  const plan = expandServing(spec);
  const done = options.force ? new Set<string>() : new Set(store.records().filter((r) => r.state === "completed").map((r) => r.key));
  const pending = plan.filter((r) => !done.has(r.key));
  const summary: ServingSummary = { planned: plan.length, skipped: plan.length - pending.length, completed: 0, failed: 0, resultsPath, csvPath, requestsPath, keys: plan.map((r) => r.key) };
  if (pending.length === 0) { store.close(); exportServingCsv(store, csvPath); return summary; }

  const setting = mergeCarbonSettings(undefined, carbonSettingFromEnv(env), options.carbon);
  const grid = new GridCarbon(setting, { env, warn: say });
  const tokenizer = await deps.tokenizer(spec.tokenizer);
  const pool = await resolvePromptPool(spec.dataset, { fallback: spec.datasetFallback, datasets: deps.datasets });
  if (pool.error) throw pool.error;
  const note = describeFallback(pool);
  if (note) say(note);
  const card = await fetchModelCard(spec.endpoint, spec.servedModel, { apiKey: spec.apiKeyEnv ? process.env[spec.apiKeyEnv] : undefined });
  const serverModelCard = card ? JSON.stringify(card) : null;
  const meter = await deps.openMeter();
  try {
    const facts = await openFacts(meter, deps, options.idleSeconds ?? 5, say);
    for (const run of pending) {
      if (options.signal?.aborted) break;
      const context: ServingContext = { spec, run, datasetUsed: pool.used, datasetNote: note, metadata: facts.metadata, idlePowerW: facts.idlePowerW, startedAt: new Date(), endedAt: new Date(), serverModelCard };
      const row = await measureLevel(spec, run, { tokenizer, pool, meter, grid, context, requestsPath, signal: options.signal });
      store.append(row);
      if (row.state === "completed") summary.completed++; else summary.failed++;
      say(levelLine(row));
    }
  } finally {
    store.close();
    try { await meter.close?.(); } catch (error) { say(`closing the meter failed: ${errorText(error)}`); }
  }
  exportServingCsv(store, csvPath);
  return summary;
}

interface LevelParts {
  tokenizer: ServingTokenizer;
  pool: PromptPool;
  meter: SweepMeter;
  grid: GridCarbon;
  context: ServingContext;
  requestsPath: string;
  signal?: AbortSignal;
}

/** One load level: prompts, the load with its steady-state window metered, the row and the request lines. */
async function measureLevel(spec: ServingSpec, run: PlannedServingRun, p: LevelParts): Promise<ServingRecord> {
  const { config } = run;
  const windowName = `serving:${run.key}`;
  let window: WindowMeasurement | null = null;
  let opened = false;
  try {
    const prompts = await buildPrompts(spec, run, p.tokenizer, p.pool);
    const runCarbon = await p.grid.forRun();
    const common = {
      endpoint: spec.endpoint, model: spec.servedModel, apiKey: spec.apiKeyEnv ? process.env[spec.apiKeyEnv] : undefined, chat: spec.chat,
      ignoreEos: spec.ignoreEos, requestTimeoutS: spec.requestTimeoutS, prompts: (i: number) => prompts[i % prompts.length], slo: spec.slo, signal: p.signal,
    };
    // unmetered: a server compiles kernels and sizes buffers per batch shape on first use (Vulkan pipelines took seconds)
    const warmup = await warmUp(spec, config, common);
    const load = await runLoad({
      ...common,
      arrival: config.load === "closed" ? { kind: "closed", concurrency: config.concurrency! } : { kind: "open", requestRatePerS: config.requestRatePerS!, seed: spec.seed + run.repetition },
      numRequests: config.numRequests, durationS: spec.durationS ?? undefined, maxTokens: config.outputLength,
      onSteadyStart: async () => { await p.meter.begin(windowName, { alignToCounter: true }); opened = true; },
      onSteadyEnd: async () => { if (opened) { opened = false; window = await p.meter.end(windowName, { alignToCounter: true }); } },
    });
    const measured = window as WindowMeasurement | null;
    const summary = summarizeLoad(load, measured ? { energyJ: measured.totalEnergyJ, seconds: measured.seconds } : null, spec.slo);
    writeRequestLines(p.requestsPath, run.key, load, summary);
    const ctx = { ...p.context, endedAt: new Date() };
    if (summary.completed === 0) return failedServingRecord(ctx, new Error(`every request failed: ${topReason(summary, load)}`));
    const carbon = measured ? runCarbon(measured.totalEnergyJ, measured.seconds) : null;
    return { ...completedServingRecord(ctx, load, summary, measured, carbon), warmup_requests: warmup };
  } catch (error) {
    return failedServingRecord({ ...p.context, endedAt: new Date() }, error);
  } finally {
    if (opened) { try { await (p.meter.cancel ? p.meter.cancel(windowName) : p.meter.end(windowName)); } catch { /* the level's own error is what matters */ } }
  }
}

/**
 * spec.warmupRounds rounds of the level's concurrency (open loop: 4) requests, closed loop, max_tokens up to 16,
 * unmetered and unrecorded; returns how many were sent. A warm-up that fails is not an error: the level says so itself.
 */
async function warmUp(spec: ServingSpec, config: PlannedServingRun["config"], common: Omit<Parameters<typeof runLoad>[0], "arrival" | "numRequests" | "maxTokens">): Promise<number> {
  const concurrency = config.concurrency ?? 4;
  const numRequests = spec.warmupRounds * concurrency;
  if (numRequests === 0) return 0;
  await runLoad({ ...common, arrival: { kind: "closed", concurrency }, numRequests, maxTokens: Math.min(16, config.outputLength) });
  return numRequests;
}

/** numRequests prompts of exactly inputLength tokens (seeded per repetition): ids for completions, text for chat or --prompt-form text. */
async function buildPrompts(spec: ServingSpec, run: PlannedServingRun, tokenizer: ServingTokenizer, pool: PromptPool): Promise<LoadPrompt[]> {
  const ids = await promptsFor(pool.used, tokenizer, {
    inputLength: run.config.inputLength, batch: run.config.numRequests, seed: spec.seed + run.repetition, texts: pool.texts ?? undefined,
  });
  return ids.map((row) => ({ prompt: spec.promptForm === "ids" && !spec.chat ? row : tokenizer.decode(row), promptTokens: row.length }));
}

/** The commonest failure kind, with one request's own reason (its fix is usually in it). */
function topReason(s: LoadSummary, load: LoadRun): string {
  const top = Object.entries(s.failureReasons).sort((a, b) => b[1] - a[1])[0];
  const example = load.records.find((r) => r.error !== null)?.error;
  return top ? `${top[0]}, ${top[1]} of ${s.requests}${example ? `, e.g. "${example}"` : ""}` : "no request was sent";
}

function writeRequestLines(path: string, key: string, load: LoadRun, s: LoadSummary): void {
  const lines = load.records.map((r, i) => JSON.stringify({
    key, index: r.index, sent_s: r.sentS, ttft_s: r.ttftS, tpot_s: r.tpotS, e2e_s: r.e2eS, prompt_tokens: r.promptTokens,
    output_tokens: r.outputTokens, ok: r.ok, error: r.error, energy_j: s.requestEnergyJ ? s.requestEnergyJ[i] : null,
  }) + "\n");
  appendFileSync(path, lines.join(""));
}

function levelLine(row: ServingRecord): string {
  const level = row.load === "closed" ? `concurrency ${row.concurrency}` : `${row.request_rate_per_s} req/s`;
  if (row.state === "failed") return `${level} in=${row.input_length} out=${row.output_length}: failed: ${row.error_message}`;
  const j = row.j_per_output_token_measured ?? row.j_per_output_token_estimated;
  const jText = typeof j === "number" ? `${j.toPrecision(3)} J/token${row.j_per_output_token_estimated !== null ? " (ESTIMATED)" : ""}` : `no energy (${row.steady_reason})`;
  const tps = typeof row.output_tokens_per_s === "number" ? row.output_tokens_per_s.toFixed(1) : "–";
  return `${level} in=${row.input_length} out=${row.output_length}: ${jText}, ${tps} tokens/s, TTFT p50 ${fmtS(row.ttft_p50_s)} p99 ${fmtS(row.ttft_p99_s)}, ` +
    `goodput ${typeof row.goodput_share === "number" ? (row.goodput_share * 100).toFixed(0) + "%" : "–"}, ${row.requests_failed} failed`;
}

function fmtS(v: unknown): string {
  return typeof v === "number" ? `${(v * 1000).toFixed(0)} ms` : "–";
}

function exportServingCsv(store: ResultStore<ServingRecord>, csvPath: string): void {
  if (store.records().length === 0) return;
  writeFileAtomic(csvPath, toCsv(store.latest(), SERVING_COLUMNS));
}
