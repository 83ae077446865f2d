// The sweep runner, read top to bottom as a sweep's steps: plan (this shard's runs, skipping what the stores already
// hold under the same protocol: src/sweep/plan.ts), open (the meter, and what every row shares), then measure and
// record (each engine group loaded once, each request shape warmed, each run measured under the protocol's windows
// and appended as one row: src/sweep/session.ts). A run that throws becomes a failed row and the sweep goes on.
import { cpus, hostname, release, type as osType, arch } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { MeterDescription } from "../meter/description.js";
import { gitCommit, wattlabVersion } from "../version.js";
import { carbonSettingFromEnv, describeSetting, GridCarbon, mergeCarbonSettings } from "./carbon.js";
import { realSleep } from "./cooldown.js";
import { errorText } from "./error-text.js";
import { planSweep } from "./plan.js";
import { consoleProgress, type ProgressEvent } from "./progress.js";
import { describeProtocol } from "./protocol.js";
import { clusterMetadata } from "./cluster.js";
import { withBackendEnv } from "./expand.js";
import type { RecordContext, RunMetadata, RunRecord } from "./record.js";
import { SweepSession } from "./session.js";
import { shardFileName, type Shard } from "./shard.js";
import { defaultContextLength, specToJson, validateSpec, type SweepSpec } from "./spec.js";
import { exportCsv, ResultStore, rowCountsByKey, RunClaims, writeFileAtomic, type WarningSink } from "./store.js";
import { noopTracker } from "./tracker.js";
import type { RunSweepOptions, SweepDeps, SweepMeter, SweepSummary } from "./types.js";

export type { OpenedEngine, OpenEngineOptions, ResolvedModel, RunSweepOptions, SweepDeps, SweepMeter, SweepSummary } from "./types.js";

export class ContextLengthError extends Error {
  override name = "ContextLengthError";
}

/** The results file a sweep (or shard) writes in outDir. */
export function resultsPathFor(outDir: string, shard?: Shard): string {
  return join(outDir, shardFileName(shard));
}


function gpuFacts(description: MeterDescription | null): Pick<RunMetadata, "gpu_model" | "gpu_driver" | "cpu_model"> {
  const names = [...new Set(description?.gpu.devices.map((d) => d.name) ?? [])];
  return {
    gpu_model: names.length ? names.join(" + ") : null,
    gpu_driver: description?.gpu.driverVersion ?? null,
    cpu_model: description?.cpu.model ?? cpus()[0]?.model ?? null,
  };
}

async function machineMetadata(meter: SweepMeter, deps: Pick<SweepDeps, "metadata">): Promise<RunMetadata> {
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
    ...clusterMetadata(),
    ...(await deps.metadata?.()),
  };
}

/**
 * What every row of the sweep shares, read once the meter is open: idle power (the baseline, where the meter takes
 * one), the machine, the energy counter's update period and step, and the CPU estimate's scope.
 */
export async function openFacts(meter: SweepMeter, deps: Pick<SweepDeps, "metadata">, idleSeconds: number, say: (message: string) => void):
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
export async function runSweep(specAsGiven: SweepSpec, deps: SweepDeps, options: RunSweepOptions): Promise<SweepSummary> {
  // llama.cpp's switches in the environment are part of its runs' keys (src/sweep/expand.ts)
  const spec = withBackendEnv(specAsGiven, options.env ?? process.env);
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
  try {
    const facts = await openFacts(meter, deps, options.idleSeconds ?? 5, say);
    try { await tracker.start?.(spec); } catch (error) { say(`tracker: ${errorText(error)}`); }

    // measure and record: each engine group loaded once, each run claimed, warmed, measured, stored (src/sweep/session.ts)
    const session = new SweepSession({
      spec, deps, meter, store, claims, tracker, grid, pools, summary, pending: pending.length, storedElsewhere, signal: options.signal, sleep, say, emit,
      shared: { ...facts, protocol, protocolText: describeProtocol(protocol, version), version, datasetUsedOf },
      onRow: (row) => carbonSeen.add(row),
    });
    for await (const [group, runs] of session.groups(pending)) {
      if (options.signal?.aborted) break;
      await session.measureGroup(group, runs);
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
