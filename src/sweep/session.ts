// The sweep's measuring and recording, once it is planned and its meter is open: runs grouped by engine (each group's
// engine loaded once), each run claimed before it is measured (sweeps sharing a folder never store a key twice),
// warmed per shape, cooled down, measured under the protocol's windows and recorded as one row. A run that throws
// (out of memory, an execution-provider error) becomes a failed row and the sweep goes on.
import { performance } from "node:perf_hooks";
import { promptsFor } from "../data/prompts.js";
import type { DatasetName } from "../data/names.js";
import type { PromptPool } from "../data/pool.js";
import { modelWeightBytes } from "../models/weight-bytes.js";
import type { GridCarbon } from "./carbon.js";
import { waitForIdle } from "./cooldown.js";
import type { RunConfig } from "./dimensions.js";
import { errorText } from "./error-text.js";
import { measurePlannedRun } from "./measure-run.js";
import type { ProgressEvent } from "./progress.js";
import { protocolHash, type MeasurementProtocol } from "./protocol.js";
import type { RecordContext, RunRecord } from "./record.js";
import { completedRecord, failedRecord } from "./record-build.js";
import { windowCarbon } from "./record-carbon.js";
import type { PlannedRun, SweepSpec } from "./spec.js";
import type { ResultStore, RunClaims } from "./store.js";
import type { Tracker } from "./tracker.js";
import type { OpenedEngine, ResolvedModel, SweepDeps, SweepMeter, SweepSummary } from "./types.js";
import { ShapeWarmer } from "./warmup.js";

/** What every row shares: set once the meter is open (src/sweep/run.ts openFacts) and the plan is made. */
export type SharedContext = Pick<RecordContext, "metadata" | "idlePowerW" | "counter" | "cpuEstimate"> & {
  protocol: MeasurementProtocol;
  protocolText: string;
  version: string | null;
  datasetUsedOf(config: RunConfig): RecordContext["datasetUsed"];
};

export interface SessionParts {
  spec: SweepSpec;
  deps: SweepDeps;
  meter: SweepMeter;
  store: ResultStore;
  claims: RunClaims;
  tracker: Tracker;
  grid: GridCarbon;
  pools: Map<DatasetName, PromptPool>;
  shared: SharedContext;
  summary: SweepSummary;
  /** Runs this sweep means to measure (for progress and the ETA). */
  pending: number;
  /** True when another sweep stored `key` since this one started. */
  storedElsewhere(key: string): boolean;
  signal?: AbortSignal;
  sleep(ms: number): Promise<void>;
  say(message: string): void;
  emit(event: ProgressEvent): void;
  /** Each row as it is stored (the summary's carbon). */
  onRow(row: RunRecord): void;
}

export class SweepSession {
  private finished = 0;
  private runSeconds = 0;
  private first = true;
  private windowCount = 0;
  /** Runs another sweep on this folder was measuring: put off, then skipped if it stored them, measured if not. */
  private readonly deferred: PlannedRun[] = [];

  constructor(private readonly p: SessionParts) {}

  /** The runs' groups in order, then the groups of runs put off, once the sweeps holding them let go. */
  async *groups(runs: readonly PlannedRun[]): AsyncGenerator<[string, PlannedRun[]]> {
    yield* byGroup(runs);
    while (this.deferred.length > 0 && !this.p.signal?.aborted) {
      const waiting = this.deferred.splice(0);
      await waitForClaims(this.p.claims, waiting.map((r) => r.key), this.p.sleep, this.p.say, this.p.signal);
      yield* byGroup(waiting);
    }
  }

  /** One engine group: its dataset failures recorded, its engine loaded once, each run measured and recorded. */
  async measureGroup(group: string, groupRuns: readonly PlannedRun[]): Promise<void> {
    // Runs of a dataset that cannot be had fail here with its fix; the sweep goes on with the rest.
    const runs: PlannedRun[] = [];
    for (const run of groupRuns) {
      const error = this.p.pools.get(run.config.dataset)!.error;
      if (!error) runs.push(run);
      else if (this.mayRun(run)) await this.record(failedRecord(this.context(run, {}), error), run, 0);
    }
    // a group whose every run another sweep holds is not loaded now
    if (runs.length > 0 && runs.every((run) => this.p.claims.heldBy(run.key) !== null)) { this.deferred.push(...runs); return; }
    if (runs.length === 0) return;
    const loaded = await this.load(group, runs);
    if (!loaded) return;
    const { model, opened } = loaded;
    const weightBytes = modelWeightBytes(model.dir); // once per loaded model, not per run
    const promptsOf = this.promptCache(opened);
    const warmer = new ShapeWarmer(opened.engine, promptsOf, { warmupRuns: this.p.spec.warmupRuns, fixedLength: this.p.spec.fixedLength, group, say: this.p.say });
    try {
      for (const run of runs) {
        if (this.p.signal?.aborted) break;
        if (!this.mayRun(run)) continue;
        const cooldownS = await this.coolDown(await warmer.warm(run.config));
        this.p.emit({ kind: "run-start", done: this.finished, pending: this.p.pending, run });
        const base = { engineInfo: opened.engine.info, modelDir: model.dir, modelManifestHash: model.manifestHash ?? null, modelWeightBytes: weightBytes, graphForm: model.graphForm ?? null, cooldownS };
        const t0 = performance.now();
        const row = await this.measure(run, opened, base, promptsOf);
        await this.record(row, run, (performance.now() - t0) / 1000 + (cooldownS ?? 0));
      }
    } finally {
      try { await opened.engine.dispose(); } catch (error) { this.p.say(`disposing ${group} failed: ${errorText(error)}`); }
    }
  }

  /** The group's model and engine; null after recording every run failed with the load error (the next group may load). */
  private async load(group: string, runs: readonly PlannedRun[]): Promise<{ model: ResolvedModel; opened: OpenedEngine } | null> {
    const head = runs[0].config;
    try {
      const resolved = await this.p.deps.resolveModel(head.model, head.quantization, head.engine, head.device);
      const model = typeof resolved === "string" ? { dir: resolved, manifestHash: null, graphForm: null } : resolved;
      const opened = await this.p.deps.openEngine({ engine: head.engine, modelDir: model.dir, device: head.device, dtype: head.quantization,
        ...(head.engine === "llama.cpp" && this.p.spec.flashAttention ? { flashAttention: this.p.spec.flashAttention } : {}),
        ...(this.p.spec.threads !== undefined ? { threads: this.p.spec.threads } : {}) });
      this.p.emit({ kind: "group", group, loadS: opened.engine.info.loadS, error: null });
      return { model, opened };
    } catch (error) {
      this.p.emit({ kind: "group", group, loadS: null, error: errorText(error) });
      for (const run of runs) if (this.mayRun(run)) await this.record(failedRecord(this.context(run, {}), error), run, 0);
      return null;
    }
  }

  /** Each request shape's prompts, tokenized once per loaded engine. */
  private promptCache(opened: OpenedEngine): (c: RunConfig) => Promise<number[][]> {
    const prompts = new Map<string, number[][]>();
    const { seed, chatTemplate } = this.p.spec;
    return async (c) => {
      const id = `${c.dataset}|${c.inputLength}|${c.batchSize}`;
      if (!prompts.has(id)) {
        const pool = this.p.pools.get(c.dataset)!;
        prompts.set(id, await promptsFor(pool.used, opened.tokenizer, { inputLength: c.inputLength, batch: c.batchSize, seed, chatTemplate, texts: pool.texts ?? undefined }));
      }
      return prompts.get(id)!;
    };
  }

  /** The spec's cooldown before a run, in seconds waited; after a warm-up the device is warm even before the first run. */
  private async coolDown(warmedNow: boolean): Promise<number | null> {
    const { spec, deps, meter, shared, sleep } = this.p;
    const wait = spec.cooldown && (!this.first || warmedNow);
    this.first = false;
    return wait ? (deps.cooldown ?? waitForIdle)(meter, { spec: spec.cooldown!, idlePowerW: shared.idlePowerW, sleep }) : null;
  }

  /** One run under the protocol's windows (src/sweep/measure-run.ts); a throw fails the run like any other. */
  private async measure(run: PlannedRun, opened: OpenedEngine, base: Partial<RecordContext>, promptsOf: (c: RunConfig) => Promise<number[][]>): Promise<RunRecord> {
    const startedAt = new Date();
    try {
      // the grid intensity for this run (live figures per run, cached per zone), looked up outside its windows
      const runCarbon = this.p.deps.carbon ?? (await this.p.grid.forRun());
      const measured = await measurePlannedRun(this.p.shared.protocol, run, opened.engine, this.p.meter, await promptsOf(run.config), this.p.spec.fixedLength, () => `w${++this.windowCount}`);
      return completedRecord(this.context(run, { ...base, startedAt, endedAt: new Date() }), {
        ...measured, carbon: windowCarbon(measured.prefill, measured.decode, runCarbon),
      });
    } catch (error) {
      return failedRecord(this.context(run, { ...base, startedAt, endedAt: new Date() }), error);
    }
  }

  /** Claims `run` for this sweep; false (put off, or skipped) when another sweep holds it or has stored it. */
  private mayRun(run: PlannedRun): boolean {
    if (!this.p.claims.claim(run.key)) { this.deferred.push(run); return false; }
    if (!this.p.storedElsewhere(run.key)) return true;
    this.p.claims.release(run.key);
    this.p.summary.skipped++;
    return false;
  }

  /** Stores the row, lets go of its claim, logs it to the tracker and tells progress. */
  private async record(row: RunRecord, run: PlannedRun, seconds: number): Promise<void> {
    this.p.store.append(row);
    this.p.claims.release(row.key);
    try { await this.p.tracker.log(row); } catch (error) { this.p.say(`tracker: ${errorText(error)}`); }
    this.finished++;
    this.runSeconds += seconds;
    if (row.state === "completed") this.p.summary.completed++; else this.p.summary.failed++;
    this.p.onRow(row);
    const etaS = (this.runSeconds / this.finished) * (this.p.pending - this.finished);
    this.p.emit({ kind: "run-end", done: this.finished, pending: this.p.pending, run, state: row.state, seconds, etaS, error: row.state === "failed" ? `${row.error_name}: ${row.error_message}` : null });
  }

  private context(run: PlannedRun, extra: Partial<RecordContext>): RecordContext {
    const { spec, shared } = this.p;
    return {
      sweep: spec.name, key: run.key, repetition: run.repetition, seed: spec.seed, fixedLength: spec.fixedLength,
      chatTemplate: spec.chatTemplate, config: run.config, datasetUsed: shared.datasetUsedOf(run.config), engineInfo: null, modelDir: null, modelManifestHash: null,
      metadata: shared.metadata, startedAt: new Date(), endedAt: new Date(), idlePowerW: shared.idlePowerW, cooldownS: null,
      protocol: { text: shared.protocolText, hash: protocolHash(shared.protocol, extra.modelManifestHash ?? null, shared.version) },
      counter: shared.counter, cpuEstimate: shared.cpuEstimate, ...extra,
    };
  }
}

function byGroup(runs: readonly PlannedRun[]): Map<string, PlannedRun[]> {
  const map = new Map<string, PlannedRun[]>();
  for (const run of runs) map.set(run.group, [...(map.get(run.group) ?? []), run]);
  return map;
}

/** Waits until no other live sweep holds any of `keys`, saying once who holds them. */
async function waitForClaims(claims: RunClaims, keys: readonly string[], sleep: (ms: number) => Promise<void>,
  say: (message: string) => void, signal?: AbortSignal): Promise<void> {
  let told = false;
  for (;;) {
    const held = keys.map((key) => claims.heldBy(key)).filter((owner) => owner !== null);
    if (held.length === 0 || signal?.aborted) return;
    if (!told) {
      const holders = [...new Set(held.map((o) => `process ${o!.pid} on ${o!.hostname}`))].join(", ");
      say(`${held.length} run(s) are being measured by ${holders} (claims in ${claims.dir}); waiting for them, then measuring what they leave undone`);
      told = true;
    }
    await sleep(250);
  }
}
