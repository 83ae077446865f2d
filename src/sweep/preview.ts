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
}

/** The plan `runSweep(spec, deps, options)` would follow now, from the same planner, without running any of it. */
export async function previewSweep(spec: SweepSpec, deps: Pick<SweepDeps, "contextLength" | "datasets" | "manifestHash">, options: PreviewOptions): Promise<SweepPreview> {
  validateSpec(spec, deps.contextLength ?? defaultContextLength);
  const resultsPath = resultsPathFor(options.outDir, options.shard);
  const paths = options.force ? [] : [...new Set([resultsPath, resultsPathFor(options.outDir)])];
  // opened for reading only: a store writes nothing until a row is appended
  const stores = paths.map((p) => ResultStore.open(p, { onWarning: () => {} }));
  try {
    const plan = await planSweep(withBackendEnv(spec, process.env), {
      stores, shard: options.shard, skipFailed: options.skipFailed, datasets: deps.datasets, manifestHash: deps.manifestHash?.bind(deps), say: () => {},
    });
    return {
      name: spec.name, mode: spec.mode, resultsPath, runs: plan.plan.length, pending: plan.pending.length,
      groups: new Set(plan.plan.map((r) => r.group)).size, configs: configsOf(plan),
      protocol: describeProtocol(plan.protocol, plan.version), datasetNotes: datasetNotes(plan),
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
    ...p.datasetNotes.map((n) => `  ${n}`),
  ];
  const keys = Object.keys(p.configs[0]?.columns ?? {});
  const header = [...keys, "stored", "to measure"];
  const rows = p.configs.map((c) => [...keys.map((k) => String(c.columns[k])), String(c.stored), String(c.pending)]);
  return [...head, ...alignedLines(header, rows, { indent: "  " })];
}
