// A sweep's plan, before anything is measured: the runs of this shard, each dataset's prompt pool (a missing
// alpaca/gsm8k file becomes its synthetic look-alike or fails that dataset's runs), and which runs the stores already
// hold as reusable rows (measured under this spec's protocol, on the same model build, by the same major version).
import type { DatasetOptions } from "../data/datasets.js";
import type { DatasetName } from "../data/names.js";
import { describeFallback, resolvePromptPool, type PromptPool } from "../data/pool.js";
import { wattlabVersion } from "../version.js";
import type { EngineName } from "../engine/types.js";
import type { Quantization, RunConfig, SweepDevice } from "./dimensions.js";
import { stableHash } from "./hash.js";
import { measurementProtocol, reusableRow, type MeasurementProtocol } from "./protocol.js";
import type { RunRecord } from "./record.js";
import { selectShard, type Shard } from "./shard.js";
import { expandRuns, type PlannedRun, type SweepSpec } from "./spec.js";
import type { ResultStore } from "./store.js";

export interface SweepPlan {
  protocol: MeasurementProtocol;
  /** wattlab's version, null outside the package. */
  version: string | null;
  /** Every run of this shard, keys naming a dataset look-alike where one stands in. */
  plan: PlannedRun[];
  /** The runs no store holds a reusable row for. */
  pending: PlannedRun[];
  pools: Map<DatasetName, PromptPool>;
  /** The look-alike a run's dataset was replaced by, and why; null when the real dataset is used. */
  datasetUsedOf(config: RunConfig): { name: string; reason: string } | null;
}

export interface PlanInputs {
  /** The stores whose rows count as done: this shard's, and a merged one beside it. Empty with `force`. */
  stores: readonly ResultStore[];
  shard?: Shard;
  skipFailed?: boolean;
  datasets?: DatasetOptions;
  /** The model build's manifest hash (SweepDeps.manifestHash): a row of another build is not reused. */
  manifestHash?(model: string, quantization: Quantization, engine: EngineName, device?: SweepDevice): string | null | undefined | Promise<string | null | undefined>;
  say(message: string): void;
}

export async function planSweep(spec: SweepSpec, inputs: PlanInputs): Promise<SweepPlan> {
  const protocol = measurementProtocol(spec);
  let version: string | null = null;
  try { version = wattlabVersion(); } catch { /* outside the package */ }
  const doneRows = storedRows(inputs.stores, inputs.skipFailed === true);
  const planned = selectShard(expandRuns(spec), inputs.shard);
  const pools = new Map<DatasetName, PromptPool>();
  for (const dataset of new Set(planned.map((r) => r.config.dataset))) {
    const pool = await resolvePromptPool(dataset, { fallback: spec.datasetFallback === true, datasets: inputs.datasets });
    pools.set(dataset, pool);
    const note = describeFallback(pool);
    if (note) inputs.say(note);
  }
  // the run's key names the look-alike, so rows of the real dataset measured later are not mistaken for these
  const plan = planned.map((r) => {
    const pool = pools.get(r.config.dataset)!;
    return pool.used === pool.requested ? r : { ...r, key: stableHash({ key: r.key, dataset_used: pool.used }) };
  });
  const manifests = new Map<string, string | null | undefined>();
  for (const r of plan) {
    if (manifests.has(r.group) || !doneRows.has(r.key) || !inputs.manifestHash) continue;
    try { manifests.set(r.group, await inputs.manifestHash(r.config.model, r.config.quantization, r.config.engine, r.config.device)); } catch { manifests.set(r.group, undefined); }
  }
  const pending = plan.filter((r) => !(doneRows.get(r.key) ?? []).some((row) => reusableRow(row, protocol, manifests.get(r.group), version)));
  const datasetUsedOf = (c: RunConfig) => {
    const pool = pools.get(c.dataset)!;
    return pool.fallbackReason ? { name: pool.used, reason: pool.fallbackReason } : null;
  };
  return { protocol, version, plan, pending, pools, datasetUsedOf };
}

/** Rows a rerun may reuse, by key: completed ones, and failed ones with skipFailed. */
function storedRows(stores: readonly ResultStore[], skipFailed: boolean): Map<string, RunRecord[]> {
  const done = new Map<string, RunRecord[]>();
  for (const s of stores) {
    const failed = skipFailed ? s.failedKeys() : new Set<string>();
    for (const r of s.records()) {
      if (r.state === "completed" || failed.has(r.key)) done.set(r.key, [...(done.get(r.key) ?? []), r]);
    }
  }
  return done;
}
