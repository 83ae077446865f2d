// Reading a results store for analysis: effective rows, per-configuration summaries over repetitions,
// and danfo DataFrames for the notebooks' tables.
import * as dfd from "danfojs-node";
import { pairedFigure, PAIRED_FIGURES, type Cell, type PairedFigure, type RunRecord } from "../sweep/record.js";
import { effectiveRows, readResults } from "../sweep/store.js";

/** The completed runs of a store (a failed run superseded by a later success counts once). */
export function loadResults(path: string, options: { includeFailed?: boolean } = {}): RunRecord[] {
  const rows = effectiveRows(readResults(path).rows);
  return options.includeFailed ? rows : rows.filter((r) => r.state === "completed");
}

/** A figure of a row, whichever of its measured/estimated columns holds it. */
export function figure(row: Record<string, Cell>, name: string): number | null {
  if ((PAIRED_FIGURES as readonly string[]).includes(name)) return pairedFigure(row, name as PairedFigure).value;
  const v = row[name];
  return typeof v === "number" ? v : null;
}

/** True when the figure came from an estimate (e.g. CPU TDP × utilisation) rather than a counter. */
export function isEstimated(row: Record<string, Cell>, name: string): boolean {
  return (PAIRED_FIGURES as readonly string[]).includes(name) && pairedFigure(row, name as PairedFigure).estimated;
}

export interface SummaryRow {
  [column: string]: string | number | boolean | null;
}

/**
 * Mean and standard deviation of `metrics` over the repetitions of each configuration `by` names.
 * Columns: the `by` values, `n`, then `<metric>_mean` and `<metric>_std` (sample std; 0 for n=1), and
 * `<metric>_estimated` = true when any contributing value was estimated.
 */
export function summarize(rows: readonly RunRecord[], by: readonly string[], metrics: readonly string[]): SummaryRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of rows) {
    const key = JSON.stringify(by.map((b) => r[b as keyof RunRecord]));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: SummaryRow[] = [];
  for (const members of groups.values()) {
    const row: SummaryRow = {};
    for (const b of by) row[b] = members[0][b as keyof RunRecord] as Cell;
    row.n = members.length;
    for (const m of metrics) {
      const values = members.map((r) => figure(r, m)).filter((v): v is number => v !== null);
      const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
      const std = mean !== null && values.length > 1
        ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : mean !== null ? 0 : null;
      row[`${m}_mean`] = mean;
      row[`${m}_std`] = std;
      if ((PAIRED_FIGURES as readonly string[]).includes(m)) row[`${m}_estimated`] = members.some((r) => isEstimated(r, m));
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

/** A danfo DataFrame of plain records, numbers rounded for display. */
export function toFrame(records: readonly Record<string, unknown>[], options: { columns?: readonly string[]; digits?: number } = {}): dfd.DataFrame {
  const digits = options.digits ?? 4;
  const columns = options.columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const data = records.map((r) => Object.fromEntries(columns.map((c) => {
    const v = r[c];
    return [c, typeof v === "number" ? Number(v.toPrecision(digits)) : v ?? null];
  })));
  return new dfd.DataFrame(data.length ? data : [Object.fromEntries(columns.map((c) => [c, null]))]);
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
