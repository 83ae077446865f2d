// The sweep runner: plans runs, skips what the store already holds (measured under the same protocol), loads each
// engine group once, warms up each request shape before its first recorded run (src/sweep/warmup.ts), measures each run under the
// protocol's windows (src/sweep/measure-run.ts), and appends one row per run. A run that throws (out of memory, an execution-provider error)
// becomes a failed row and the sweep goes on.
import { modelWeightBytes } from "../models/weight-bytes.js";
import { cpus, hostname, release, type as osType, arch } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promptsFor, type PromptTokenizer } from "../data/prompts.js";
import type { DatasetOptions } from "../data/datasets.js";
import type { Engine, EngineName, ExecutionProvider } from "../engine/types.js";
import type { MeterDescription } from "../meter/description.js";
import type { WindowMeasurement, WindowOptions } from "../meter/types.js";
import type { ChannelResolution } from "../meter/resolution.js";
import { gitCommit, wattlabVersion } from "../version.js";
import { realSleep, waitForIdle, type CooldownContext } from "./cooldown.js";
import type { Quantization, RunConfig, SweepDevice } from "./dimensions.js";
import { consoleProgress, type ProgressEvent } from "./progress.js";
import { measurePlannedRun } from "./measure-run.js";
import { planSweep } from "./plan.js";
import { errorText } from "./error-text.js";
import { ShapeWarmer } from "./warmup.js";
import { describeProtocol, protocolHash } from "./protocol.js";
import {
  completedRecord, failedRecord, windowCarbon,
  type CarbonFigure, type RecordContext, type RunMetadata, type RunRecord,
} from "./record.js";
import { carbonSettingFromEnv, describeSetting, GridCarbon, mergeCarbonSettings, type CarbonSetting } from "./carbon.js";
import { shardFileName, type Shard } from "./shard.js";
import { defaultContextLength, specToJson, validateSpec, type ContextLengthLookup, type PlannedRun, type SweepSpec } from "./spec.js";
import { exportCsv, ResultStore, rowCountsByKey, RunClaims, writeFileAtomic, type WarningSink } from "./store.js";
import { noopTracker, type Tracker } from "./tracker.js";

/** What the runner needs of a meter (src/meter's Meter, adapted where its shapes differ). */
export interface SweepMeter {
  /** `options.alignToCounter`: start (and end) at an update of the energy counter, where the meter can. */
  begin(name: string, options?: WindowOptions): void | Promise<void>;
  end(name: string, options?: WindowOptions): WindowMeasurement | Promise<WindowMeasurement>;
  /** The energy counters' update periods as probed at open; `updateS`: the slowest one's (null: unknown). */
  resolution?(): { updateS: number | null; stepJ: number | null; channels: ChannelResolution[] } | null | Promise<{ updateS: number | null; stepJ: number | null; channels: ChannelResolution[] } | null>;
  /** Drops an open window (after a run threw); `end` is called and ignored when absent. */
  cancel?(name: string): void | Promise<void>;
  /** Measures idle power for `seconds` and subtracts it from later windows' dynamicEnergyJ. */
  measureIdle?(seconds: number): Promise<{ powerW: number } | number | void>;
  describe?(): MeterDescription | Promise<MeterDescription>;
  close?(): void | Promise<void>;
}

export interface ResolvedModel {
  dir: string;
  /** Hash of the model's manifest (how it was built), for the row's metadata. */
  manifestHash?: string | null;
  /** ONNX graph form ("portable", "fused") from the model's wattlab-manifest.json; null where none applies. */
  graphForm?: string | null;
}

export interface OpenEngineOptions {
  engine: EngineName;
  modelDir: string;
  device: SweepDevice;
  dtype: Quantization;
}

export interface OpenedEngine {
  engine: Engine;
  tokenizer: PromptTokenizer;
}

/** Everything the runner calls out to; the CLI wires the real parts, tests wire stand-ins. */
export interface SweepDeps {
  /**
   * A model folder for a preset name or a path (building or downloading it if needed). `device` lets the
   * store pick a form that suits it (e.g. the fused ONNX graph on GPUs).
   */
  resolveModel(model: string, quantization: Quantization, engine: EngineName, device?: SweepDevice): Promise<string | ResolvedModel>;
  openEngine(options: OpenEngineOptions): Promise<OpenedEngine>;
  openMeter(): Promise<SweepMeter>;
  /** For validation before anything runs; default: presets and model folders' config.json. */
  contextLength?: ContextLengthLookup;
  /** Where alpaca/gsm8k live. */
  datasets?: DatasetOptions;
  /** Carbon of a run's energy when the meter's windows carry none; default: fixed world-average intensity. */
  carbon?(energyJ: number): CarbonFigure;
  tracker?: Tracker;
  /** Between runs when the spec asks for cooldown; default waitForIdle. Returns seconds waited. */
  cooldown?(meter: SweepMeter, ctx: CooldownContext): Promise<number>;
  sleep?(ms: number): Promise<void>;
  /**
   * The manifest hash of the build resolveModel would use, without building (undefined: not built yet, or no
   * manifest applies): a completed row is reused only when measured on the same build.
   */
  manifestHash?(model: string, quantization: Quantization, engine: EngineName, device?: SweepDevice): string | null | undefined | Promise<string | null | undefined>;
  /** Overrides for the machine metadata (e.g. from the meter); the rest is read from os and .git. */
  metadata?(): Partial<RunMetadata> | Promise<Partial<RunMetadata>>;
}

export interface RunSweepOptions {
  outDir: string;
  shard?: Shard;
  /** Redo runs already completed (their new rows supersede the old ones). */
  force?: boolean;
  /** Treat failed runs as done; by default a rerun retries them. */
  skipFailed?: boolean;
  onProgress?(event: ProgressEvent): void;
  /** Print progress to stderr (bar on a TTY, lines otherwise); default true. */
  progress?: boolean;
  /** Idle baseline length before the first run when the meter supports it; 0 skips. Units: s. Default 5. */
  idleSeconds?: number;
  /** Stops between runs; the rows written so far stay and a rerun continues. */
  signal?: AbortSignal;
  warn?: WarningSink;
  /** Carbon setting from flags or a caller (zone, PUE, fixed intensity, embodied); wins over the environment and the spec. */
  carbon?: CarbonSetting;
  /** Where WATTLAB_GRID_ZONE, WATTLAB_PUE, … and ELECTRICITYMAPS_API_TOKEN are read; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface SweepSummary {
  /** Runs in this shard's plan. */
  planned: number;
  skipped: number;
  completed: number;
  failed: number;
  aborted: boolean;
  resultsPath: string;
  csvPath: string;
  /** The keys of this sweep's runs (after dataset fallback), so a caller can read back exactly its rows from a shared store. */
  keys: string[];
  /** The carbon setting the rows were charged under, and this invocation's completed rows' mean gCO2eq per generation. */
  carbon?: { setting: string; source: string | null; rows: number; gco2eqPerGeneration: number | null; embodiedGco2eqPerGeneration: number | null };
}

export class ContextLengthError extends Error {
  override name = "ContextLengthError";
}

/** The results file a sweep (or shard) writes in outDir. */
export function resultsPathFor(outDir: string, shard?: Shard): string {
  return join(outDir, shardFileName(shard));
}

function normalizeModel(resolved: string | ResolvedModel): ResolvedModel {
  return typeof resolved === "string" ? { dir: resolved, manifestHash: null, graphForm: null } : resolved;
}

function gpuFacts(description: MeterDescription | null): Pick<RunMetadata, "gpu_model" | "gpu_driver" | "cpu_model"> {
  const names = [...new Set(description?.gpu.devices.map((d) => d.name) ?? [])];
  return {
    gpu_model: names.length ? names.join(" + ") : null,
    gpu_driver: description?.gpu.driverVersion ?? null,
    cpu_model: description?.cpu.model ?? cpus()[0]?.model ?? null,
  };
}

async function machineMetadata(meter: SweepMeter, deps: SweepDeps): Promise<RunMetadata> {
  let description: MeterDescription | null = null;
  try { description = (await meter.describe?.()) ?? null; } catch { /* metadata is best effort */ }
  let version: string | null = null;
  try { version = wattlabVersion(); } catch { /* outside the package */ }
  return {
    ...gpuFacts(description),
    hostname: hostname(),
    os: `${osType()} ${release()} ${arch()}`,
    node_version: process.version,
    wattlab_version: version,
    git_commit: gitCommit(),
    ...(await deps.metadata?.()),
  };
}

/**
 * What every row of the sweep shares, read once the meter is open: idle power (the baseline, where the meter takes
 * one), the machine, the energy counter's update period and step, and the CPU estimate's scope.
 */
async function openFacts(meter: SweepMeter, deps: SweepDeps, idleSeconds: number, say: (message: string) => void):
  Promise<{ idlePowerW: number | null; metadata: RunMetadata; counter: RecordContext["counter"]; cpuEstimate: RecordContext["cpuEstimate"] }> {
  let idlePowerW: number | null = null;
  if (meter.measureIdle && idleSeconds > 0) {
    try {
      idlePowerW = idlePower(await meter.measureIdle(idleSeconds));
    } catch (error) {
      say(`idle baseline failed (${errorText(error)}); dynamic energy will equal total energy`);
    }
  }
  const metadata = await machineMetadata(meter, deps);
  let counter: RecordContext["counter"] = null;
  try {
    const r = await meter.resolution?.();
    if (r) counter = { updateMs: r.updateS === null ? null : r.updateS * 1000, stepJ: r.stepJ };
  } catch { /* the columns stay empty */ }
  return { idlePowerW, metadata, counter, cpuEstimate: await cpuEstimateFacts(meter) };
}

/** The carbon of the rows stored this sweep, per generation, for its summary. */
class CarbonTally {
  private rows = 0;
  private gco2eq = 0;
  private embodiedRows = 0;
  private embodied = 0;
  private source: string | null = null;

  add(row: RunRecord): void {
    const g = row.gco2eq_measured ?? row.gco2eq_estimated;
    if (typeof g === "number") { this.rows++; this.gco2eq += g; this.source = String(row.carbon_source); }
    if (typeof row.gco2eq_embodied_estimated === "number") { this.embodiedRows++; this.embodied += row.gco2eq_embodied_estimated; }
  }

  summary(setting: string): SweepSummary["carbon"] {
    return {
      setting, source: this.source, rows: this.rows,
      gco2eqPerGeneration: this.rows ? this.gco2eq / this.rows : null,
      embodiedGco2eqPerGeneration: this.embodiedRows ? this.embodied / this.embodiedRows : null,
    };
  }
}

function idlePower(result: { powerW: number } | number | void): number | null {
  if (typeof result === "number") return result;
  if (result && typeof result === "object" && typeof result.powerW === "number") return result.powerW;
  return null;
}

/**
 * Runs a sweep into `outDir` (metrics.jsonl, or metrics.shard-I-of-N.jsonl with a shard; a CSV beside it;
 * spec.json). Validates the spec first; reruns skip completed runs (failed ones are retried unless
 * skipFailed); groups runs by (model, quantization, device, engine) so each engine loads once, and warms
 * each distinct request shape (batch size, input length, output length) of a group up `warmupRuns` times,
 * unmetered, right before its first recorded run.
 */
export async function runSweep(spec: SweepSpec, deps: SweepDeps, options: RunSweepOptions): Promise<SweepSummary> {
  validateSpec(spec, deps.contextLength ?? defaultContextLength);
  const warn: WarningSink = options.warn ?? ((w) => console.warn(`wattlab: ${w.file}:${w.line}: ${w.message}`));
  const say = (message: string) => (options.warn ? options.warn({ file: options.outDir, line: 0, message }) : console.warn(`wattlab sweep: ${message}`));
  const emitters = [options.progress === false ? null : consoleProgress(), options.onProgress ?? null].filter(Boolean) as ((e: ProgressEvent) => void)[];
  const emit = (e: ProgressEvent) => emitters.forEach((f) => f(e));
  const sleep = deps.sleep ?? realSleep;
  const tracker = deps.tracker ?? noopTracker;
  const started = performance.now();
  // one carbon setting: spec, then the environment, then flags/options (bad values stop here, before anything runs)
  const env = options.env ?? process.env;
  const carbonSetting = mergeCarbonSettings(spec.carbon, carbonSettingFromEnv(env), options.carbon);
  const grid = new GridCarbon(carbonSetting, { env, warn: say });
  const carbonSeen = new CarbonTally();

  const resultsPath = resultsPathFor(options.outDir, options.shard);
  const csvPath = resultsPath.replace(/\.jsonl$/, ".csv");
  writeFileAtomic(join(options.outDir, "spec.json"), JSON.stringify(specToJson(spec), null, 2) + "\n");
  const store = ResultStore.open(resultsPath, { onWarning: warn });
  // Sweeps sharing this folder claim each run before measuring it (store.ts RunClaims), so none is stored twice; a
  // row another sweep stores meanwhile is noticed by the row counts growing past these.
  const claims = new RunClaims(options.outDir);
  const storePaths = [...new Set([resultsPath, resultsPathFor(options.outDir)])];
  const rowsAtStart = rowCountsByKey(storePaths);
  const storedElsewhere = (key: string) => (rowCountsByKey(storePaths).get(key) ?? 0) > (rowsAtStart.get(key) ?? 0);
  // plan: this shard's runs, their datasets' prompts, and which runs the stores already hold (src/sweep/plan.ts)
  const stores = options.force ? [] : [store];
  // A shard also honours runs a merged metrics.jsonl already holds (e.g. from an earlier unsharded run).
  const merged = resultsPathFor(options.outDir);
  if (!options.force && merged !== resultsPath) stores.push(ResultStore.open(merged, { onWarning: warn }));
  const { protocol, version, plan, pending, pools, datasetUsedOf } = await planSweep(spec, {
    stores, shard: options.shard, skipFailed: options.skipFailed, datasets: deps.datasets, manifestHash: deps.manifestHash?.bind(deps), say,
  });
  emit({ kind: "plan", sweep: spec.name, total: plan.length, skipped: plan.length - pending.length, pending: pending.length, shard: options.shard ?? null });
  const summary: SweepSummary = { planned: plan.length, skipped: plan.length - pending.length, completed: 0, failed: 0, aborted: false, resultsPath, csvPath, keys: plan.map((r) => r.key) };
  if (pending.length === 0) {
    store.close();
    if (store.records().length) exportCsv(resultsPath, csvPath, { onWarning: () => {} });
    emit({ kind: "done", completed: 0, failed: 0, skipped: summary.skipped, seconds: (performance.now() - started) / 1000 });
    return summary;
  }

  const meter = await deps.openMeter();
  let windowCount = 0;
  try {
    const { idlePowerW, metadata, counter, cpuEstimate } = await openFacts(meter, deps, options.idleSeconds ?? 5, say);
    const protocolText = describeProtocol(protocol, version);
    try { await tracker.start?.(spec); } catch (error) { say(`tracker: ${errorText(error)}`); }

    const groups = new Map<string, PlannedRun[]>();
    for (const run of pending) {
      if (!groups.has(run.group)) groups.set(run.group, []);
      groups.get(run.group)!.push(run);
    }

    let finished = 0;
    let runSeconds = 0;
    let first = true;
    const record = async (row: RunRecord, run: PlannedRun, seconds: number) => {
      store.append(row);
      claims.release(row.key);
      try { await tracker.log(row); } catch (error) { say(`tracker: ${errorText(error)}`); }
      finished++;
      runSeconds += seconds;
      if (row.state === "completed") summary.completed++; else summary.failed++;
      carbonSeen.add(row);
      const etaS = (runSeconds / finished) * (pending.length - finished);
      emit({ kind: "run-end", done: finished, pending: pending.length, run, state: row.state, seconds, etaS, error: row.state === "failed" ? `${row.error_name}: ${row.error_message}` : null });
    };
    const context = (run: PlannedRun, extra: Partial<RecordContext>): RecordContext => ({
      sweep: spec.name, key: run.key, repetition: run.repetition, seed: spec.seed, fixedLength: spec.fixedLength,
      chatTemplate: spec.chatTemplate, config: run.config, datasetUsed: datasetUsedOf(run.config), engineInfo: null, modelDir: null, modelManifestHash: null,
      metadata, startedAt: new Date(), endedAt: new Date(), idlePowerW, cooldownS: null,
      protocol: { text: protocolText, hash: protocolHash(protocol, extra.modelManifestHash ?? null, version) }, counter, cpuEstimate, ...extra,
    });

    // A run another sweep on this folder is measuring is put off; once its claim is gone, it is skipped if that sweep
    // stored it, measured here if not (that sweep stopped first).
    const deferred: PlannedRun[] = [];
    const mayRun = (run: PlannedRun): boolean => {
      if (!claims.claim(run.key)) { deferred.push(run); return false; }
      if (!storedElsewhere(run.key)) return true;
      claims.release(run.key);
      summary.skipped++;
      return false;
    };
    const byGroup = (runs: readonly PlannedRun[]) => {
      const map = new Map<string, PlannedRun[]>();
      for (const run of runs) map.set(run.group, [...(map.get(run.group) ?? []), run]);
      return map;
    };
    async function* schedule(): AsyncGenerator<[string, PlannedRun[]]> {
      yield* groups;
      while (deferred.length > 0 && !options.signal?.aborted) {
        const waiting = deferred.splice(0);
        await waitForClaims(claims, waiting.map((r) => r.key), sleep, say, options.signal);
        yield* byGroup(waiting);
      }
    }

    for await (const [group, groupRuns] of schedule()) {
      if (options.signal?.aborted) break;
      // Runs of a dataset that cannot be had fail here with its fix; the sweep goes on with the rest.
      const runs: PlannedRun[] = [];
      for (const run of groupRuns) {
        const error = pools.get(run.config.dataset)!.error;
        if (!error) runs.push(run);
        else if (mayRun(run)) await record(failedRecord(context(run, {}), error), run, 0);
      }
      // a group whose every run another sweep holds is not loaded now
      if (runs.length > 0 && runs.every((run) => claims.heldBy(run.key) !== null)) { deferred.push(...runs); continue; }
      if (runs.length === 0) continue;
      const head = runs[0].config;
      let model: ResolvedModel;
      let opened: OpenedEngine;
      try {
        model = normalizeModel(await deps.resolveModel(head.model, head.quantization, head.engine, head.device));
        opened = await deps.openEngine({ engine: head.engine, modelDir: model.dir, device: head.device, dtype: head.quantization });
      } catch (error) {
        // Every run of the group fails with the load error; the next group may well load.
        emit({ kind: "group", group, loadS: null, error: errorText(error) });
        for (const run of runs) if (mayRun(run)) await record(failedRecord(context(run, {}), error), run, 0);
        continue;
      }
      emit({ kind: "group", group, loadS: opened.engine.info.loadS, error: null });
      const weightBytes = modelWeightBytes(model.dir); // once per loaded model, not per run
      const prompts = new Map<string, number[][]>();
      const promptsOf = async (c: RunConfig) => {
        const id = `${c.dataset}|${c.inputLength}|${c.batchSize}`;
        if (!prompts.has(id)) {
          const pool = pools.get(c.dataset)!;
          prompts.set(id, await promptsFor(pool.used, opened.tokenizer, {
            inputLength: c.inputLength, batch: c.batchSize, seed: spec.seed, chatTemplate: spec.chatTemplate, texts: pool.texts ?? undefined,
          }));
        }
        return prompts.get(id)!;
      };
      const warmer = new ShapeWarmer(opened.engine, promptsOf, { warmupRuns: spec.warmupRuns, fixedLength: spec.fixedLength, group, say });
      try {
        for (const run of runs) {
          if (options.signal?.aborted) break;
          if (!mayRun(run)) continue;
          const warmedNow = await warmer.warm(run.config);
          let cooldownS: number | null = null;
          // after a warm-up the device is warm even before the sweep's first run
          if (spec.cooldown && (!first || warmedNow)) {
            cooldownS = await (deps.cooldown ?? waitForIdle)(meter, { spec: spec.cooldown, idlePowerW, sleep });
          }
          first = false;
          emit({ kind: "run-start", done: finished, pending: pending.length, run });
          const base = { engineInfo: opened.engine.info, modelDir: model.dir, modelManifestHash: model.manifestHash ?? null, modelWeightBytes: weightBytes, graphForm: model.graphForm ?? null, cooldownS };
          const t0 = performance.now();
          const startedAt = new Date();
          let row: RunRecord;
          try {
            // the protocol's windows (src/sweep/measure-run.ts): a throw fails the run like any other
            // the grid intensity for this run (live figures per run, cached per zone), looked up outside its windows
            const runCarbon = deps.carbon ?? (await grid.forRun());
            const measured = await measurePlannedRun(protocol, run, opened.engine, meter, await promptsOf(run.config), spec.fixedLength, () => `w${++windowCount}`);
            row = completedRecord(context(run, { ...base, startedAt, endedAt: new Date() }), {
              ...measured, carbon: windowCarbon(measured.prefill, measured.decode, runCarbon),
            });
          } catch (error) {
            row = failedRecord(context(run, { ...base, startedAt, endedAt: new Date() }), error);
          }
          await record(row, run, (performance.now() - t0) / 1000 + (cooldownS ?? 0));
        }
      } finally {
        try { await opened.engine.dispose(); } catch (error) { say(`disposing ${group} failed: ${errorText(error)}`); }
      }
    }
    summary.aborted = options.signal?.aborted === true;
    summary.carbon = carbonSeen.summary(describeSetting(carbonSetting, env));
  } finally {
    store.close();
    claims.releaseAll();
    try { await meter.close?.(); } catch (error) { say(`closing the meter failed: ${errorText(error)}`); }
    try { await tracker.finish?.(); } catch (error) { say(`tracker: ${errorText(error)}`); }
  }
  exportCsv(resultsPath, csvPath, { onWarning: () => {} });
  emit({ kind: "done", completed: summary.completed, failed: summary.failed, skipped: summary.skipped, seconds: (performance.now() - started) / 1000 });
  return summary;
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


/** What the meter's CPU estimate covers and how busy the machine was besides this run, when the meter can tell. */
async function cpuEstimateFacts(meter: SweepMeter): Promise<RecordContext["cpuEstimate"]> {
  try {
    const cpu = (await meter.describe?.())?.cpu;
    if (!cpu || cpu.source !== "estimate") return null;
    return { scope: cpu.estimateScope ?? "machine", machineBusyShare: cpu.machineBusyShare ?? null };
  } catch {
    return null;
  }
}
