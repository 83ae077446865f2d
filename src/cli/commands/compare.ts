// wattlab compare A B: two results folders (or stores) side by side, configuration by configuration.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareRows, type FolderComparison } from "../../analysis/compare.js";
import { effectiveRows, readResults } from "../../sweep/store.js";
import { formatInterval } from "../../util/stats.js";
import { alignedLines } from "../../util/text-table.js";
import { get, UsageError, type CommandSpec } from "../args.js";

const DEFAULT_METRICS = ["gpu_j_per_output_token", "throughput_tokens_per_s"];

export const compareCommand: CommandSpec = {
  name: "compare",
  summary: "set two results folders side by side: B over A per configuration with its 95% interval, and the settings they differ in",
  usage: "wattlab compare A B [--metric gpu_j_per_output_token,throughput_tokens_per_s]   (A, B: results folders or metrics.jsonl files)",
  options: [
    { name: "metric", kind: "list", help: `columns or quantities to compare (default ${DEFAULT_METRICS.join(",")}; e.g. j_per_output_token for GPU + CPU energy)` },
  ],
  positionals: true,
  async run(parsed) {
    if (parsed.positionals.length !== 2) throw new UsageError("wattlab compare: name two results folders (or metrics.jsonl files), e.g. wattlab compare results/fa-auto results/fa-off");
    const [a, b] = parsed.positionals.map(storeOf);
    const rowsA = completed(a), rowsB = completed(b);
    const metrics = get.list(parsed, "metric").length ? get.list(parsed, "metric") : DEFAULT_METRICS;
    console.log(`A: ${a} (${rowsA.length} completed rows)\nB: ${b} (${rowsB.length} completed rows)`);
    for (const metric of metrics) for (const line of formatComparison(compareRows(rowsA, rowsB, metric))) console.log(line);
  },
};

/** A folder's metrics.jsonl, or the file named; one line naming the fix when neither exists. */
function storeOf(path: string): string {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "metrics.jsonl") : path;
  if (!existsSync(file)) throw new UsageError(`wattlab compare: ${file} does not exist; name a folder a sweep wrote (it holds metrics.jsonl) or the file itself`);
  return file;
}

const completed = (file: string) => effectiveRows(readResults(file).rows).filter((r) => r.state === "completed") as unknown as Record<string, string | number | boolean | null>[];

/** 4 significant digits, without an exponent for the figures rows hold (tokens/s in the thousands). */
const number = (x: number): string => (!Number.isFinite(x) ? "–" : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(4));

function formatComparison(c: FolderComparison): string[] {
  const lines = [`\n${c.metric}: B / A, a ratio of means with its 95% interval; "B lower" or "B higher" only when the whole interval is below or above 1`];
  if (c.configs.length === 0) return [...lines, "  no configuration measured on both sides"];
  if (c.configs.every((x) => x.ratio.nA === 0 && x.ratio.nB === 0)) return [...lines, `  no row of either side holds ${c.metric} (a GPU figure on a machine without one, or a misspelt name?)`];
  const header = ["configuration", "A mean", "B mean", "B / A", "verdict", "n A+B"];
  const rows = c.configs.map((x) => {
    const cfg = x.config;
    const label = `${cfg.model} ${cfg.engine} ${cfg.device} ${cfg.quantization} ${cfg.dataset} ${cfg.input_length}/${cfg.output_length} b${cfg.batch_size}`;
    const left = x.belowResolution ? ` (${x.belowResolution} below resolution left out)` : "";
    return [label, number(x.meanA), number(x.meanB), formatInterval(x.ratio.ratio, x.ratio.ci, 3), x.verdict, `${x.ratio.nA}+${x.ratio.nB}${left}`];
  });
  lines.push(...alignedLines(header, rows, { indent: "  " }));
  if (c.configs.some((x) => x.estimated)) lines.push(`  ESTIMATED: some ${c.metric} figures come from an estimate (CPU energy from TDP × utilisation where no counter could be read), not a counter`);
  for (const m of c.mixed) {
    lines.push(`  WARNING: ${m.side} holds some configurations under several ${m.column} values (${m.values.join(", ")}): their rows are pooled; compare folders of one setting each`);
  }
  if (c.onlyA || c.onlyB) lines.push(`  measured on one side only: ${c.onlyA} configuration${c.onlyA === 1 ? "" : "s"} of A, ${c.onlyB} of B`);
  lines.push(c.settings.length
    ? `  the rows differ in: ${c.settings.map((s) => `${s.column} ${s.a.join("|")} → ${s.b.join("|")}`).join("; ")}`
    : "  the rows differ in none of the recorded settings (flash attention, threads, backend switches, versions, GPU, protocol)");
  return lines;
}
