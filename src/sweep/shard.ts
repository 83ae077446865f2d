// Splitting a sweep across processes, GPUs or Slurm array tasks: every worker computes the same plan and
// keeps its share, so no coordination is needed and shard files merge back to the unsharded key set.
import type { PlannedRun } from "./spec.js";

export interface Shard {
  /** 0-based, < count. */
  index: number;
  count: number;
}

export class ShardError extends Error {
  override name = "ShardError";
}

/** "i/n" with 0 ≤ i < n, e.g. "0/4" … "3/4" (Slurm: --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" with --array=0-(n-1)). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError(`--shard "${text}": write it as i/n with 0 ≤ i < n, e.g. 0/4`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (shard.count < 1 || shard.index >= shard.count) {
    throw new ShardError(`--shard "${text}": index ${shard.index} is not in 0…${Math.max(0, shard.count - 1)}; shards are 0-based (0/${shard.count} … ${shard.count - 1}/${shard.count})`);
  }
  return shard;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * This shard's runs: round-robin over the plan's keys in sorted order, so shards differ in size by at most
 * one run and the split does not depend on run order or shuffling. The plan keeps its order.
 */
export function selectShard(plan: readonly PlannedRun[], shard: Shard | undefined): PlannedRun[] {
  if (!shard || shard.count === 1) return plan.slice();
  const sorted = [...new Set(plan.map((r) => r.key))].sort();
  const position = new Map(sorted.map((key, i) => [key, i]));
  return plan.filter((r) => position.get(r.key)! % shard.count === shard.index);
}

/** Where a shard writes: metrics.jsonl unsharded, metrics.shard-I-of-N.jsonl otherwise. */
export function shardFileName(shard: Shard | undefined): string {
  return !shard || shard.count === 1 ? "metrics.jsonl" : `metrics.shard-${shard.index}-of-${shard.count}.jsonl`;
}
