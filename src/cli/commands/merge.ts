// wattlab merge: combine shard files into one JSONL (the truth) and its CSV.
import { existsSync, readFileSync } from "node:fs";
import { effectiveRows, mergeResults, readResults } from "../../sweep/index.js";
import { MERGE_OPTIONS } from "../sweep-options.js";
import { get, UsageError, type CommandSpec } from "../args.js";

export const mergeCommand: CommandSpec = {
  name: "merge",
  summary: "merge shard result files into one JSONL + CSV",
  usage: "wattlab merge SHARD.jsonl… [--out metrics.jsonl] [--expect-keys plan-keys.txt]",
  options: MERGE_OPTIONS,
  positionals: true,
  async run(parsed) {
    if (parsed.positionals.length === 0) throw new UsageError("wattlab merge: name the shard files, e.g. wattlab merge results/x/metrics.shard-*.jsonl --out results/x/metrics.jsonl");
    const expected = get.string(parsed, "expect-keys");
    if (expected && !existsSync(expected)) throw new UsageError(`wattlab merge: --expect-keys ${expected} does not exist; pass the plan-keys.txt wattlab slurm wrote`);
    const summary = mergeResults(parsed.positionals, get.string(parsed, "out") ?? "metrics.jsonl");
    console.log(`${summary.rows} rows (${summary.completed} completed, ${summary.failed} failed, ${summary.superseded} superseded) → ${summary.out}, ${summary.csvPath}`);
    if (expected) reportMissing(expected, summary.out);
  },
};

/** The planned keys without a completed row in the merged store, one a line on stderr; exit status 1 when any. */
function reportMissing(keysFile: string, merged: string): void {
  const planned = readFileSync(keysFile, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
  const done = new Set(effectiveRows(readResults(merged).rows).filter((r) => r.state === "completed").map((r) => r.key));
  const missing = planned.filter((k) => !done.has(k));
  if (missing.length === 0) {
    console.log(`all ${planned.length} planned runs completed`);
    return;
  }
  console.error(`${missing.length} of ${planned.length} planned runs have no completed row (resubmit the same sweep to finish them):`);
  for (const key of missing) console.error(`  missing ${key}`);
  process.exitCode = 1;
}
