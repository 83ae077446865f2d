// Rows of `npm run bench`: one measurement against its same-run baseline, with the ratio's spread over
// repeats and what that means for the goal, printed as one compact text table.
import { goalVerdict, noiseExceedsEffect, type RatioSpread } from "./ratios.js";

export interface BenchRow {
  bench: string;
  case: string;
  /** The same-run baseline in words and figures, e.g. "bare session.run 40.8 ms/step". */
  baseline: string;
  measured: string;
  /** measured / baseline: the median of the per-repeat ratios. Units: none. */
  ratio: number;
  /** Per-repeat ratios; count 1 for a single measurement. */
  spread: RatioSpread;
  /** The goal as "ratio < goalRatio" (absent: informative only). */
  goalRatio?: number;
  /** "goal met", "goal met at median", "goal missed at median", "goal missed", then "spread > effect" when the repeats disagree by more than the effect. */
  verdict: string;
  note: string;
}

export function ratioRow(row: Omit<BenchRow, "ratio" | "verdict">): BenchRow {
  const parts: string[] = [];
  if (row.goalRatio !== undefined) parts.push(`goal ${goalVerdict(row.spread, row.goalRatio)}`);
  if (noiseExceedsEffect(row.spread)) parts.push("spread > effect");
  return { ...row, ratio: row.spread.median, verdict: parts.join("; ") || "-" };
}

/** A row for a case that did not run: "skipped" (absent fixture) or "error", the reason in the note. */
export function skippedRow(bench: string, caseName: string, verdict: "skipped" | "error", reason: string): BenchRow {
  return { bench, case: caseName, baseline: "-", measured: "-", ratio: NaN, spread: { median: NaN, min: NaN, max: NaN, count: 0 }, verdict, note: reason };
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

function ratioText(r: BenchRow): string {
  if (!Number.isFinite(r.ratio)) return "-";
  const pct = (r.ratio - 1) * 100;
  // a percentage reads well for overheads, not for a ratio of 2 or 70
  return Math.abs(pct) < 100 ? `${fixed(r.ratio, 3)} (${pct >= 0 ? "+" : ""}${fixed(pct, 1)} %)` : fixed(r.ratio, 3);
}

const spreadText = (s: RatioSpread) => (s.count > 1 ? `${fixed(s.min, 3)}–${fixed(s.max, 3)} (n=${s.count})` : "-");

/** Aligned columns; the note goes on its own indented line so that the table stays narrow. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ["bench", "case", "baseline", "measured", "ratio", "spread (min–max)", "goal", "verdict"];
  const cells = rows.map((r) => [r.bench, r.case, r.baseline, r.measured, ratioText(r), spreadText(r.spread),
    r.goalRatio === undefined ? "-" : `< ${r.goalRatio}`, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  rows.forEach((r, i) => {
    out.push(line(cells[i]));
    if (r.note) out.push(`    ${r.note}`);
  });
  return out.join("\n");
}
