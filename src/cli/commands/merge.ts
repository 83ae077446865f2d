// wattlab merge: combine shard files into one JSONL (the truth) and its CSV.
import { mergeResults } from "../../sweep/index.js";
import { MERGE_OPTIONS } from "../sweep-options.js";
import { get, UsageError, type CommandSpec } from "../args.js";

export const mergeCommand: CommandSpec = {
  name: "merge",
  summary: "merge shard result files into one JSONL + CSV",
  usage: "wattlab merge SHARD.jsonl… [--out metrics.jsonl]",
  options: MERGE_OPTIONS,
  positionals: true,
  async run(parsed) {
    if (parsed.positionals.length === 0) throw new UsageError("wattlab merge: name the shard files, e.g. wattlab merge results/x/metrics.shard-*.jsonl --out results/x/metrics.jsonl");
    const summary = mergeResults(parsed.positionals, get.string(parsed, "out") ?? "metrics.jsonl");
    console.log(`${summary.rows} rows (${summary.completed} completed, ${summary.failed} failed, ${summary.superseded} superseded) → ${summary.out}, ${summary.csvPath}`);
  },
};
