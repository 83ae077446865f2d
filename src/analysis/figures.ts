// A row's figure by name, and whether it is flagged below the counter's resolution: no danfojs here, so command-line
// tools that read rows (wattlab compare) load in a bundle that carries none.
import { pairedFigure, PAIRED_FIGURES, type Cell, type PairedFigure } from "../sweep/record.js";
import { belowResolution, quantityOfColumn, rowQuantity } from "../quantities.js";

/**
 * A figure of a row, whichever of its measured/estimated columns holds it. A quantity's name (src/quantities.ts,
 * e.g. "j_per_output_token") reads it by its one definition, derived the same way for rows older than its column.
 */
export function figure(row: Record<string, Cell>, name: string): number | null {
  const q = quantityOfColumn(name);
  if (q) return rowQuantity(row, q.name, q.scope).value;
  if ((PAIRED_FIGURES as readonly string[]).includes(name)) return pairedFigure(row, name as PairedFigure).value;
  const v = row[name];
  return typeof v === "number" ? v : null;
}

/** Energy figures of a row whose window spanned too few counter updates are left out of summaries. */
export function flaggedFigure(row: Record<string, Cell>, name: string): boolean {
  const q = quantityOfColumn(name);
  if (q) return belowResolution(row, q.name);
  if (!(PAIRED_FIGURES as readonly string[]).includes(name) && !/_j(_|$)|_j_per_/.test(name)) return false;
  if (/prefill/.test(name)) return row.prefill_below_resolution === true;
  if (/decode/.test(name)) return row.below_resolution === true || row.prefill_below_resolution === true;
  return row.below_resolution === true;
}

/** True when the figure came from an estimate (e.g. CPU TDP × utilisation) rather than a counter. */
export function isEstimated(row: Record<string, Cell>, name: string): boolean {
  if ((PAIRED_FIGURES as readonly string[]).includes(name) && pairedFigure(row, name as PairedFigure).value !== null) return pairedFigure(row, name as PairedFigure).estimated;
  const q = quantityOfColumn(name);
  return q !== null && rowQuantity(row, q.name, q.scope).estimated;
}
