// Reading a results store for analysis: effective rows, per-configuration summaries over repetitions,
// and danfo DataFrames for the notebooks' tables.
import * as dfd from "danfojs-node";
import { pairedFigure, PAIRED_FIGURES, type Cell, type PairedFigure, type RunRecord } from "../sweep/record.js";
import { effectiveRows, readResults } from "../sweep/store.js";
import { belowResolution, QUANTITIES, quantityOfColumn, rowQuantity } from "../quantities.js";
import { aggregate, ratioOfMeans } from "../util/stats.js";
import { figure, flaggedFigure, isEstimated } from "./figures.js";

export { figure, flaggedFigure, isEstimated };

/** The completed runs of a store (a failed run superseded by a later success counts once). */
export function loadResults(path: string, options: { includeFailed?: boolean } = {}): RunRecord[] {
  const rows = effectiveRows(readResults(path).rows);
  return options.includeFailed ? rows : rows.filter((r) => r.state === "completed");
}

export interface SummaryRow {
  [column: string]: string | number | boolean | null;
}

/**
 * n, mean, median, standard deviation and the mean's 95% t-interval of `metrics` over the repetitions of each
 * configuration `by` names (src/util/stats.ts). Columns: the `by` values, `n`, then per metric `<metric>_mean`,
 * `<metric>_median`, `<metric>_std` (sample std; 0 for n=1), `<metric>_ci_low` / `<metric>_ci_high` (null below two
 * values), `<metric>_estimated` = true when any contributing value was estimated, and `<metric>_below_resolution`:
 * rows left out because their window spanned too few counter updates (energy figures only).
 */
export function summarize<R extends Record<string, Cell>>(rows: readonly R[], by: readonly string[], metrics: readonly string[]): SummaryRow[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const key = JSON.stringify(by.map((b) => r[b]));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: SummaryRow[] = [];
  for (const members of groups.values()) {
    const row: SummaryRow = {};
    for (const b of by) row[b] = members[0][b] as Cell;
    row.n = members.length;
    for (const m of metrics) {
      const kept = members.filter((r) => !flaggedFigure(r, m));
      const a = aggregate(kept.map((r) => figure(r, m)));
      const orNull = (x: number) => (Number.isFinite(x) ? x : null);
      row[`${m}_mean`] = orNull(a.mean);
      row[`${m}_median`] = orNull(a.median);
      row[`${m}_std`] = orNull(a.std);
      row[`${m}_ci_low`] = orNull(a.ci.low);
      row[`${m}_ci_high`] = orNull(a.ci.high);
      const q = quantityOfColumn(m);
      if ((PAIRED_FIGURES as readonly string[]).includes(m) || (q && QUANTITIES[q.name].energy)) row[`${m}_estimated`] = members.some((r) => isEstimated(r, m));
      if (members.length > kept.length) row[`${m}_below_resolution`] = members.length - kept.length;
    }
    out.push(row);
  }
  return out.sort((a, b) => compareCells(by.map((k) => a[k]), by.map((k) => b[k])));
}

function compareCells(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

/**
 * What toFrame returns: a danfo DataFrame, typed by the members a notebook uses (showTable takes it), so that
 * wattlab's public types do not pull danfojs's own (and their untyped dependencies) into a consumer's compile.
 * Cast it to danfo's DataFrame for the rest of danfo's API.
 */
export interface Frame {
  readonly columns: string[];
  readonly index: (string | number)[];
  readonly values: unknown[][];
  readonly shape: number[];
  /** The first `rows` rows (default 5) as a new frame. */
  head(rows?: number): Frame;
  /** Prints the frame as a text table. */
  print(): void;
  toString(): string;
}

/** A danfo DataFrame of plain records, numbers rounded for display. */
export function toFrame(records: readonly Record<string, unknown>[], options: { columns?: readonly string[]; digits?: number } = {}): Frame {
  const digits = options.digits ?? 4;
  const columns = options.columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const data = records.map((r) => Object.fromEntries(columns.map((c) => {
    const v = r[c];
    return [c, typeof v === "number" ? Number(v.toPrecision(digits)) : v ?? null];
  })));
  return new dfd.DataFrame(data.length ? data : [Object.fromEntries(columns.map((c) => [c, null]))]) as unknown as Frame;
}

/**
 * One markdown line on where the prompts came from: the datasets asked for and, where a file was missing,
 * the synthetic look-alike measured instead and how to measure the real one.
 */
export function datasetNote(rows: readonly RunRecord[]): string {
  const pairs = new Map<string, RunRecord>();
  for (const r of rows) pairs.set(`${r.dataset}→${r.dataset_used ?? r.dataset}`, r);
  const parts = [...pairs.values()].map((r) => {
    const used = r.dataset_used ?? r.dataset;
    return used === r.dataset ? `**${r.dataset}**` : `**${r.dataset}** → measured as **${used}** (wattlab's look-alike; the ${r.dataset} file was not found)`;
  });
  const replaced = [...pairs.values()].some((r) => r.dataset_used && r.dataset_used !== r.dataset);
  return `Prompts: ${parts.join(", ") || "none"}.` + (replaced ? " To measure the real datasets, put their files in data/ (see data/README.md) or run once online." : "");
}

/** A change between two groups of rows with its interval, and whether it is told apart from noise. */
export interface Change {
  /** mean(B) / mean(A) − 1. */
  change: number;
  ci: { low: number; high: number };
  nA: number;
  nB: number;
  /** Rows left out of either side: their window spanned too few updates of the energy counter. */
  belowResolution: number;
  /** The interval of the change holds 0 (or there are fewer than two rows a side): the data cannot tell. */
  withinNoise: boolean;
  /** "−45% [−52%, −38%]" or "+12% [−9%, +38%], within noise". */
  text: string;
}

/**
 * How `metric` changes from the rows where `column` is `a` to those where it is `b`, as a ratio of means with its
 * 95% interval (src/util/stats.ts ratioOfMeans); rows below the counter's resolution are left out, as in summaries.
 */
export function change<R extends Record<string, Cell>>(rows: readonly R[], column: string, a: Cell, b: Cell, metric: string): Change {
  const at = (v: Cell) => rows.filter((r) => r[column] === v);
  const left = [...at(a), ...at(b)].filter((r) => flaggedFigure(r, metric)).length;
  const values = (v: Cell) => at(v).filter((r) => !flaggedFigure(r, metric)).map((r) => figure(r, metric));
  const r = ratioOfMeans(values(a), values(b));
  const ci = { low: r.ci.low - 1, high: r.ci.high - 1 };
  const withinNoise = !(Number.isFinite(ci.low) && Number.isFinite(ci.high)) || (ci.low <= 0 && ci.high >= 0);
  const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(0)}%` : "–");
  const interval = Number.isFinite(ci.low) ? ` [${pct(ci.low)}, ${pct(ci.high)}]` : " [n < 2]";
  const leftOut = left ? `; ${left} row${left === 1 ? "" : "s"} below the counter's resolution left out` : "";
  return { change: r.ratio - 1, ci, nA: r.nA, nB: r.nB, belowResolution: left, withinNoise, text: `${pct(r.ratio - 1)}${interval}${withinNoise ? ", within noise" : ""}${leftOut}` };
}
