// The original study's headline findings, recomputed from a one-at-a-time sweep's own rows, with the paper's figure
// beside each and verdicts derived from the numbers and their uncertainty (never typed in). Each comparison is a
// ratio of the two levels' means with its 95% interval (src/util/stats.ts); a verdict is `holds`, `does not hold`,
// or `undecided` when the interval straddles its threshold. Rows whose window was below the energy counter's
// resolution are left out (and counted).
import { rowQuantity, type EnergyScope, type QuantityName } from "../quantities.js";
import type { RunRecord } from "../sweep/record.js";
import { METHOD_TEXT, ratioOfMeans, verdict as judge, withinVerdict, type Interval, type Verdict } from "../util/stats.js";

const DIMENSION_COLUMNS = ["model", "engine", "device", "quantization", "dataset", "input_length", "output_length", "batch_size"] as const;

export interface Finding {
  finding: string;
  /** What was compared, e.g. "batch_size 1 → 2 (tiny, cpu, fp32)". */
  compared: string;
  metric: string;
  /** The study's figure as a relative change (−0.45 = 45% less) or ratio (1.4 = 1.4×). */
  paper: number;
  /** This run's figure in the same form: from the ratio of the two levels' means. */
  measured: number | null;
  /** 95% interval of `measured` (delta method on the ratio of means, t with Welch df); null without two values a side. */
  ci: Interval | null;
  /** Rows behind each side (after leaving out those below resolution). */
  n: [number, number];
  kind: "change" | "ratio";
  /** The effect goes the paper's way: holds / does not hold / undecided (interval across no effect). */
  verdict: Verdict | "not measured";
  /** The effect is also within half the paper's size of it. */
  size: Verdict | "not measured";
  estimated: boolean;
  /** Rows left out: their window spanned too few counter updates. */
  belowResolution: number;
  /** How the interval was made. */
  method: string;
}

/** The most common value of each dimension: the base of a one-at-a-time sweep. */
export function inferBase(rows: readonly RunRecord[]): Record<string, string | number | null> {
  const base: Record<string, string | number | null> = {};
  for (const d of DIMENSION_COLUMNS) {
    const counts = new Map<string | number | null, number>();
    for (const r of rows) { const v = r[d] as string | number | null; counts.set(v, (counts.get(v) ?? 0) + 1); }
    // a dimension no row fills (e.g. the dataset of rows metered from another program) stays null, so rows match it
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    base[d] = top ? top[0] : "";
  }
  return base;
}

/** Rows that differ from the base only in `dimension` (and repetition). */
function along(rows: readonly RunRecord[], base: Record<string, string | number | null>, dimension: string): RunRecord[] {
  return rows.filter((r) => DIMENSION_COLUMNS.every((d) => d === dimension || r[d] === base[d]));
}

/** Energy per generated token: everything the generation drew (prefill + decode) over the tokens it produced. */
export const energyPerOutputToken = (r: RunRecord, scope: EnergyScope = "all"): number | null => rowQuantity(r, "j_per_output_token", scope).value;

function describeBase(base: Record<string, string | number | null>, skip: string): string {
  return DIMENSION_COLUMNS.filter((d) => d !== skip).map((d) => `${d}=${base[d]}`).join(", ");
}

/** The direction and size verdicts of an effect against the paper's, both judged by the interval. */
function verdicts(paper: number, ci: Interval | null, kind: "change" | "ratio"): { verdict: Verdict; size: Verdict } {
  const none = kind === "change" ? 0 : 1;
  const interval = ci ?? { low: NaN, high: NaN };
  const effect = paper - none;
  return {
    verdict: judge(interval, effect < 0 ? "<" : ">", none),
    size: withinVerdict(interval, paper - Math.abs(effect) / 2, paper + Math.abs(effect) / 2),
  };
}

export interface FindingOptions {
  /** Energy of the GPUs only (comparable with a GPU-only baseline) or with the CPU and DRAM. Default "all". */
  scope?: EnergyScope;
}

/** Every headline finding of the study, as measured in `rows` (a one-at-a-time sweep around one base). */
export function seedFindings(rows: readonly RunRecord[], options: FindingOptions = {}): Finding[] {
  const scope = options.scope ?? "all";
  const base = inferBase(rows);
  const out: Finding[] = [];
  const levels = (d: string) => [...new Set(along(rows, base, d).map((r) => r[d as keyof RunRecord] as string | number))]
    .sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
  const at = (d: string, v: string | number) => along(rows, base, d).filter((r) => r[d as keyof RunRecord] === v);

  const compare = (kind: "change" | "ratio", d: string, a: string | number, b: string | number, metric: string, value: (r: RunRecord) => number | null,
    flagged: (r: RunRecord) => boolean, estimated: (r: RunRecord) => boolean, paper: number, finding: string) => {
    const ra = at(d, a), rb = at(d, b);
    const keep = (rs: RunRecord[]) => rs.filter((r) => !flagged(r)).map(value).filter((x): x is number => x !== null && Number.isFinite(x));
    const va = keep(ra), vb = keep(rb);
    const measuredRows = va.length > 0 && vb.length > 0;
    const r = ratioOfMeans(va, vb);
    const shift = kind === "change" ? 1 : 0;
    const measured = measuredRows && Number.isFinite(r.ratio) ? r.ratio - shift : null;
    const ci = measuredRows && Number.isFinite(r.ci.low) ? { low: r.ci.low - shift, high: r.ci.high - shift } : null;
    const v = measured === null ? { verdict: "not measured" as const, size: "not measured" as const } : verdicts(paper, ci, kind);
    out.push({
      finding, compared: kind === "change" ? `${d} ${a} → ${b} (${describeBase(base, d)})` : `${d} ${b} / ${a} (${describeBase(base, d)})`,
      metric, paper, measured, ci, n: [va.length, vb.length], kind, ...v,
      estimated: [...ra, ...rb].some(estimated), belowResolution: [...ra, ...rb].filter(flagged).length,
      method: `ratio of means, ${METHOD_TEXT.t} (delta method, Welch df)`,
    });
  };
  const quantity = (name: QuantityName) => ({
    value: (r: RunRecord) => rowQuantity(r, name, scope).value,
    flagged: (r: RunRecord) => rowQuantity(r, name, scope).belowResolution,
    estimated: (r: RunRecord) => rowQuantity(r, name, scope).estimated,
  });
  const perToken = quantity("j_per_output_token");
  const perTokenMetric = `energy per output token${scope === "gpu" ? ", GPU only" : ""} (J)`;

  const batches = levels("batch_size");
  for (let i = 0; i + 1 < batches.length; i++) {
    compare("change", "batch_size", batches[i], batches[i + 1], perTokenMetric, perToken.value, perToken.flagged, perToken.estimated, -0.45, `batch ${batches[i]}→${batches[i + 1]} cuts energy ~45%`);
  }
  const quants = levels("quantization");
  if (quants.includes("fp16")) {
    if (quants.includes("int8")) compare("ratio", "quantization", "fp16", "int8", perTokenMetric, perToken.value, perToken.flagged, perToken.estimated, 1.4, "int8 uses 1.4× the energy of fp16");
    if (quants.includes("int4")) compare("ratio", "quantization", "fp16", "int4", perTokenMetric, perToken.value, perToken.flagged, perToken.estimated, 2.0, "int4 uses 2× the energy of fp16");
  }
  const inputs = levels("input_length");
  const paperInput = [-0.7, -0.4];
  const perInput = quantity("j_per_input_token");
  for (let i = 0; i + 1 < inputs.length && i < paperInput.length; i++) {
    // The repeated-prefill window when every compared row has it: a lone prefill is shorter than a GPU energy
    // counter's 100 ms tick and reads 0 J or one tick. Never mixed: one row without it → the window figure.
    const compared = [...at("input_length", inputs[i]), ...at("input_length", inputs[i + 1])];
    // GPU-only where every compared row has it (older rows recorded only the total, with its estimated CPU share)
    const gpu = scope === "gpu" && compared.every((r) => rowQuantity(r, "j_per_input_token", "gpu").value !== null);
    const repeatedColumn = gpu ? "prefill_gpu_j_per_input_token_repeated" : "prefill_j_per_input_token_repeated";
    const windowColumn = gpu ? "gpu_j_per_input_token" : "prefill_j_per_input_token";
    const repeated = compared.length > 0 && compared.every((r) => typeof (r[`${repeatedColumn}_measured` as keyof RunRecord] ?? r[`${repeatedColumn}_estimated` as keyof RunRecord]) === "number");
    const column = repeated ? repeatedColumn : windowColumn;
    const value = (r: RunRecord) => {
      const v = r[`${column}_measured` as keyof RunRecord] ?? r[`${column}_estimated` as keyof RunRecord];
      return typeof v === "number" ? v : null;
    };
    compare("change", "input_length", inputs[i], inputs[i + 1], `prefill energy per input token${gpu ? ", GPU only" : scope === "gpu" ? ", GPU + CPU (no GPU-only figure in these rows)" : ""}${repeated ? ", repeated prefills" : ", one prefill window"} (J)`,
      value, perInput.flagged, (r) => rowQuantity(r, "j_per_input_token", gpu ? "gpu" : "all").estimated,
      paperInput[i], `energy per input token −${Math.round(-paperInput[i] * 100)}% (paper: ${i === 0 ? "128→512" : "512→1024"})`);
  }
  return out;
}
