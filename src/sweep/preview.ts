// A sweep's plan shown before any of it runs (`wattlab sweep --plan`): its configurations, how many repetitions of
// each the results folder already holds as reusable rows and how many are left, the prompts each dataset will get
// and the protocol. It reads the stores and the dataset files, loads no model or meter, and writes nothing.
import { configColumns } from "./dimensions.js";
import { withBackendEnv } from "./expand.js";
import { planSweep, type SweepPlan } from "./plan.js";
import { describeProtocol } from "./protocol.js";
import { resultsPathFor } from "./run.js";
import type { Shard } from "./shard.js";
import { defaultContextLength, validateSpec, type SweepSpec } from "./spec.js";
import { ResultStore } from "./store.js";
import type { SweepDeps } from "./types.js";
import { alignedLines } from "../util/text-table.js";

export interface PreviewOptions {
  outDir: string;
  shard?: Shard;
  force?: boolean;
  skipFailed?: boolean;
}

/** One configuration of the plan: its repetitions stored already (reused by a run) and still to measure. */
export interface PreviewConfig {
  columns: Record<string, string | number>;
  stored: number;
  pending: number;
}

export interface SweepPreview {
  name: string;
  mode: SweepSpec["mode"];
  resultsPath: string;
  runs: number;
  pending: number;
  groups: number;
  configs: PreviewConfig[];
  protocol: string;
  /** Per dataset: the look-alike that stands in and why, or why its runs will fail; none when it is there. */
  datasetNotes: string[];
  time: PreviewTime;
}

/**
 * How long the runs to measure may take, from what the folder holds: the mean wall time (started_at → ended_at) of
 * the stored completed runs of each configuration, also with --force. Loads, warm-ups and the idle baseline are extra.
 */
export interface PreviewTime {
  /** Runs to measure whose configuration has a stored completed run, and the seconds those runs took on average, summed. */
  knownRuns: number;
  knownS: number;
  /** Runs to measure with no stored run of their configuration to go by. */
  unknownRuns: number;
}

/** The plan `runSweep(spec, deps, options)` would follow now, from the same planner, without running any of it. */
export async function previewSweep(spec: SweepSpec, deps: Pick<SweepDeps, "contextLength" | "datasets" | "manifestHash">, options: PreviewOptions): Promise<SweepPreview> {
  validateSpec(spec, deps.contextLength ?? defaultContextLength);
  const resultsPath = resultsPathFor(options.outDir, options.shard);
  const paths = [...new Set([resultsPath, resultsPathFor(options.outDir)])];
  // opened for reading only: a store writes nothing until a row is appended
  const stores = paths.map((p) => ResultStore.open(p, { onWarning: () => {} }));
  try {
    const plan = await planSweep(withBackendEnv(spec, process.env), {
      stores: options.force ? [] : stores, shard: options.shard, skipFailed: options.skipFailed, datasets: deps.datasets, manifestHash: deps.manifestHash?.bind(deps), say: () => {},
    });
    const configs = configsOf(plan);
    return {
      name: spec.name, mode: spec.mode, resultsPath, runs: plan.plan.length, pending: plan.pending.length,
      groups: new Set(plan.plan.map((r) => r.group)).size, configs,
      protocol: describeProtocol(plan.protocol, plan.version), datasetNotes: datasetNotes(plan), time: timeOf(configs, stores),
    };
  } finally {
    for (const s of stores) s.close();
  }
}

function configsOf(plan: SweepPlan): PreviewConfig[] {
  const pending = new Set(plan.pending.map((r) => r.key));
  const byConfig = new Map<string, PreviewConfig>();
  for (const run of plan.plan) {
    const columns = configColumns(run.config);
    const id = JSON.stringify(columns);
    const entry = byConfig.get(id) ?? { columns, stored: 0, pending: 0 };
    if (pending.has(run.key)) entry.pending++; else entry.stored++;
    byConfig.set(id, entry);
  }
  return [...byConfig.values()];
}

/** Each configuration's stored completed runs' mean wall time, applied to its runs still to measure. */
function timeOf(configs: readonly PreviewConfig[], stores: readonly ResultStore[]): PreviewTime {
  const rows = stores.flatMap((s) => s.latest()) as Record<string, unknown>[];
  const time: PreviewTime = { knownRuns: 0, knownS: 0, unknownRuns: 0 };
  for (const c of configs) {
    if (c.pending === 0) continue;
    const seconds = rows.filter((r) => r.state === "completed" && Object.entries(c.columns).every(([k, v]) => String(r[k]) === String(v)))
      .map((r) => (Date.parse(String(r.ended_at)) - Date.parse(String(r.started_at))) / 1000).filter((x) => Number.isFinite(x) && x >= 0);
    if (seconds.length === 0) { time.unknownRuns += c.pending; continue; }
    time.knownRuns += c.pending;
    time.knownS += c.pending * seconds.reduce((a, b) => a + b, 0) / seconds.length;
  }
  return time;
}

/** "time: ≈ 1 min 5 s for 4 runs to measure (…); 2 have no stored run of their configuration to go by"; null with nothing to measure. */
export function formatTime(t: PreviewTime): string | null {
  if (t.knownRuns + t.unknownRuns === 0) return null;
  const one = t.unknownRuns === 1;
  const none = t.knownRuns === 0 ? "no run to measure has a stored run of its configuration to go by"
    : `${t.unknownRuns} ${one ? "has" : "have"} no stored run of ${one ? "its" : "their"} configuration to go by`;
  if (t.knownRuns === 0) return `time: unknown: ${none}`;
  const s = Math.round(t.knownS);
  const span = s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
  return `time: ≈ ${span} for ${t.knownRuns} run${t.knownRuns === 1 ? "" : "s"} to measure, at the mean wall time of their configuration's stored runs, plus model loads, warm-ups and the idle baseline` +
    (t.unknownRuns > 0 ? `; ${none}` : "");
}

function datasetNotes(plan: SweepPlan): string[] {
  return [...plan.pools.values()].flatMap((pool) => pool.error
    ? [`dataset ${pool.requested}: its runs will fail: ${pool.error.message}`]
    : pool.fallbackReason ? [`dataset ${pool.requested}: its synthetic look-alike ${pool.used} stands in: ${pool.fallbackReason}`] : []);
}

/** The preview as lines: a head, the notes, then one row per configuration. */
export function formatPreview(p: SweepPreview): string[] {
  const configs = p.configs.length;
  const head = [
    `sweep ${p.name} (${p.mode}): ${configs} configuration${configs === 1 ? "" : "s"}, ${p.runs} runs in ${p.groups} engine group${p.groups === 1 ? "" : "s"} → ${p.resultsPath}`,
    `  already stored (reused): ${p.runs - p.pending}; to measure: ${p.pending}`,
    `  protocol: ${p.protocol}`,
    ...[formatTime(p.time)].filter((x): x is string => x !== null).map((x) => `  ${x}`),
    ...p.datasetNotes.map((n) => `  ${n}`),
  ];
  const keys = Object.keys(p.configs[0]?.columns ?? {});
  const header = [...keys, "stored", "to measure"];
  const rows = p.configs.map((c) => [...keys.map((k) => String(c.columns[k])), String(c.stored), String(c.pending)]);
  return [...head, ...alignedLines(header, rows, { indent: "  " })];
}
