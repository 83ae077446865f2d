// The main job's serving lines: the load levels notebook 12 measured against `wattlab serve` (results/serving), one
// line per level with the mean over repetitions and its 95% t-interval.
import { existsSync } from "node:fs";
import { servingTable } from "../../analysis/serving.js";
import type { SummaryRow } from "../../analysis/results.js";
import type { ServingRecord } from "../../sweep/serving/index.js";
import { effectiveRows, readResults } from "../../sweep/store.js";
import { formatInterval } from "../../util/stats.js";

/** Mean [95% CI] of a summary row's metric: `digits` significant digits, or `fixed` decimals (ms, %). */
const interval = (r: SummaryRow, metric: string, digits: number, options: { scale?: number; fixed?: number; max?: number } = {}): string => {
  const { scale = 1, fixed, max = Infinity } = options;
  const mean = r[`${metric}_mean`], low = r[`${metric}_ci_low`], high = r[`${metric}_ci_high`];
  if (typeof mean !== "number") return "–";
  // none of these can be negative (nor goodput above 100%): a few noisy repetitions' interval is cut there
  const ci = typeof low === "number" && typeof high === "number" ? { low: Math.max(0, low * scale), high: Math.min(max, high * scale) } : { low: NaN, high: NaN };
  if (fixed === undefined) return formatInterval(mean * scale, ci, digits);
  return `${(mean * scale).toFixed(fixed)}${Number.isFinite(ci.low) ? ` [${ci.low.toFixed(fixed)}, ${ci.high.toFixed(fixed)}]` : " [n < 2]"}`;
};

/** Lines for the serving store at `path`, or none when it holds no completed level. */
export function servingLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const rows = effectiveRows(readResults<ServingRecord>(path).rows);
  const table = servingTable(rows);
  if (table.length === 0) return [];
  const estimated = table.some((r) => r.j_per_output_token_estimated === true);
  return [
    "",
    `serving (notebook 12: ${String(rows[0].served_model)} at wattlab serve, closed loop, energy over each level's steady state${estimated ? ", J/token ESTIMATED (CPU)" : ""}):`,
    ...table.map((r) => `  concurrency ${String(r.concurrency).padStart(3)} in=${r.input_length} out=${r.output_length}  n ${r.n}  ${interval(r, "output_tokens_per_s", 4)} tokens/s  ` +
      `${interval(r, "j_per_output_token", 3)} J/out token  TTFT p99 ${interval(r, "ttft_p99_s", 0, { scale: 1000, fixed: 0 })} ms  goodput ${interval(r, "goodput_share", 0, { scale: 100, fixed: 0, max: 100 })}%`),
  ];
}
