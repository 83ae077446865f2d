// Two results folders set side by side: every configuration both measured, B's mean over A's with its 95% interval
// and a verdict (lower, higher, or undecided when the interval holds 1), and the settings their rows differ in (flash
// attention, threads, backend switches, versions, GPU), so a comparison says what it compares.
import { DIMENSIONS } from "../sweep/dimensions.js";
import type { Cell } from "../sweep/record.js";
import { aggregate, ratioOfMeans, verdict, type RatioEstimate } from "../util/stats.js";
import { figure, flaggedFigure, isEstimated } from "./figures.js";

type Row = Record<string, Cell>;

/** Columns that change what is measured without being part of a configuration. */
export const SETTING_COLUMNS = [
  "dataset_used", "weight_form", "graph_form", "execution_provider", "flash_attention", "cpu_threads", "backend_env", "backend_version",
  "protocol_hash", "measurement", "fixed_length", "chat_template", "gpu_model", "gpu_driver", "cpu_model", "wattlab_version",
] as const;

export interface ConfigComparison {
  /** The configuration's dimension values (model, engine, …, batch_size). */
  config: Record<string, Cell>;
  ratio: RatioEstimate;
  meanA: number;
  meanB: number;
  /** B lower: the whole interval of B/A is below 1; B higher: above 1; undecided: it holds 1 (or n < 2 a side). */
  verdict: "B lower" | "B higher" | "undecided";
  /** Rows of either side left out: their window spanned too few counter updates. */
  belowResolution: number;
  /** Some of the figures are estimates (e.g. CPU energy from TDP × utilisation), not counter readings. */
  estimated: boolean;
}

export interface FolderComparison {
  metric: string;
  configs: ConfigComparison[];
  /** Configurations only one side measured. */
  onlyA: number;
  onlyB: number;
  /** Each setting column whose values differ between the two sides: A's values → B's. */
  settings: { column: string; a: string[]; b: string[] }[];
  /** Settings that vary inside one configuration of one side: its rows pool two measurements, so its mean is neither. */
  mixed: { side: "A" | "B"; column: string; values: string[] }[];
}

/** Settings a run's key tells apart, so one folder can hold a configuration under several of them. */
const KEYED_SETTINGS = ["flash_attention", "cpu_threads", "backend_env"] as const;

const configKey = (r: Row) => JSON.stringify(DIMENSIONS.map((d) => r[d] ?? null));
const distinct = (rows: readonly Row[], column: string) => [...new Set(rows.map((r) => (r[column] === null || r[column] === undefined ? "–" : String(r[column]))))].sort();

/** Compares `metric` (a column or a quantity's name, e.g. gpu_j_per_output_token) between completed rows A and B. */
export function compareRows(a: readonly Row[], b: readonly Row[], metric: string): FolderComparison {
  const group = (rows: readonly Row[]) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) m.set(configKey(r), [...(m.get(configKey(r)) ?? []), r]);
    return m;
  };
  const ga = group(a), gb = group(b);
  const configs: ConfigComparison[] = [];
  for (const [key, rowsA] of ga) {
    const rowsB = gb.get(key);
    if (!rowsB) continue;
    const kept = (rows: Row[]) => rows.filter((r) => !flaggedFigure(r, metric)).map((r) => figure(r, metric));
    const valuesA = kept(rowsA), valuesB = kept(rowsB);
    const ratio = ratioOfMeans(valuesA, valuesB);
    const lower = verdict(ratio.ci, "<", 1), higher = verdict(ratio.ci, ">", 1);
    configs.push({
      config: Object.fromEntries(DIMENSIONS.map((d) => [d, rowsA[0][d] ?? null])), ratio, meanA: aggregate(valuesA).mean, meanB: aggregate(valuesB).mean,
      verdict: lower === "holds" ? "B lower" : higher === "holds" ? "B higher" : "undecided",
      belowResolution: [...rowsA, ...rowsB].filter((r) => flaggedFigure(r, metric)).length,
      estimated: [...rowsA, ...rowsB].some((r) => isEstimated(r, metric)),
    });
  }
  const settings = SETTING_COLUMNS.map((column) => ({ column, a: distinct(a, column), b: distinct(b, column) }))
    .filter((s) => JSON.stringify(s.a) !== JSON.stringify(s.b));
  const mixed = ([["A", ga], ["B", gb]] as const).flatMap(([side, groups]) => KEYED_SETTINGS.flatMap((column) => {
    const values = [...new Set([...groups.values()].filter((rows) => distinct(rows, column).length > 1).flatMap((rows) => distinct(rows, column)))].sort();
    return values.length ? [{ side, column, values }] : [];
  }));
  return { metric, configs, mixed, onlyA: [...ga.keys()].filter((k) => !gb.has(k)).length, onlyB: [...gb.keys()].filter((k) => !ga.has(k)).length, settings };
}
