// The original study's headline findings, recomputed from a one-at-a-time sweep's own rows, with the
// paper's figure beside each and an agree/disagree verdict derived from the numbers (never typed in).
import type { RunRecord } from "../sweep/record.js";
import { figure } from "./results.js";

const DIMENSION_COLUMNS = ["model", "engine", "device", "quantization", "dataset", "input_length", "output_length", "batch_size"] as const;

export interface Finding {
  finding: string;
  /** What was compared, e.g. "batch_size 1 → 2 (tiny, cpu, fp32)". */
  compared: string;
  metric: string;
  /** The study's figure as a relative change (−0.45 = 45% less) or ratio (1.4 = 1.4×). */
  paper: number;
  measured: number | null;
  kind: "change" | "ratio";
  /** Same direction and within half the paper's effect (or the tolerance) of it. */
  verdict: "agrees" | "same direction, different size" | "disagrees" | "not measured";
  estimated: boolean;
}

/** The most common value of each dimension: the base of a one-at-a-time sweep. */
export function inferBase(rows: readonly RunRecord[]): Record<string, string | number> {
  const base: Record<string, string | number> = {};
  for (const d of DIMENSION_COLUMNS) {
    const counts = new Map<string | number, number>();
    for (const r of rows) { const v = r[d] as string | number; counts.set(v, (counts.get(v) ?? 0) + 1); }
    base[d] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  }
  return base;
}

/** Rows that differ from the base only in `dimension` (and repetition). */
function along(rows: readonly RunRecord[], base: Record<string, string | number>, dimension: string): RunRecord[] {
  return rows.filter((r) => DIMENSION_COLUMNS.every((d) => d === dimension || r[d] === base[d]));
}

function meanOf(rows: readonly RunRecord[], value: (r: RunRecord) => number | null): number | null {
  const v = rows.map(value).filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Energy per generated token: everything the run drew (prefill + decode) over the tokens it produced. */
export const energyPerOutputToken = (r: RunRecord): number | null => {
  const e = figure(r, "energy_total_j");
  const n = typeof r.tokens_out === "number" ? r.tokens_out : null;
  return e !== null && n ? e / n : null;
};

function verdict(paper: number, measured: number | null, kind: "change" | "ratio"): Finding["verdict"] {
  if (measured === null) return "not measured";
  const effectPaper = kind === "change" ? paper : paper - 1;
  const effectMeasured = kind === "change" ? measured : measured - 1;
  if (Math.sign(effectPaper) !== Math.sign(effectMeasured)) return "disagrees";
  return Math.abs(effectMeasured - effectPaper) <= Math.abs(effectPaper) / 2 ? "agrees" : "same direction, different size";
}

function describeBase(base: Record<string, string | number>, skip: string): string {
  return DIMENSION_COLUMNS.filter((d) => d !== skip).map((d) => `${d}=${base[d]}`).join(", ");
}

/** Every headline finding of the study, as measured in `rows` (a one-at-a-time sweep around one base). */
export function seedFindings(rows: readonly RunRecord[]): Finding[] {
  const base = inferBase(rows);
  const out: Finding[] = [];
  const levels = (d: string) => [...new Set(along(rows, base, d).map((r) => r[d as keyof RunRecord] as string | number))]
    .sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
  const at = (d: string, v: string | number) => along(rows, base, d).filter((r) => r[d as keyof RunRecord] === v);
  const anyEstimated = (rs: RunRecord[]) => rs.some((r) => typeof r.energy_total_j_estimated === "number");

  const change = (d: string, a: string | number, b: string | number, metric: string, value: (r: RunRecord) => number | null, paper: number, finding: string) => {
    const ra = at(d, a), rb = at(d, b);
    const ea = meanOf(ra, value), eb = meanOf(rb, value);
    const measured = ea !== null && eb !== null && ea !== 0 ? (eb - ea) / ea : null;
    out.push({ finding, compared: `${d} ${a} → ${b} (${describeBase(base, d)})`, metric, paper, measured, kind: "change",
      verdict: verdict(paper, measured, "change"), estimated: anyEstimated([...ra, ...rb]) });
  };
  const ratio = (d: string, a: string | number, b: string | number, metric: string, value: (r: RunRecord) => number | null, paper: number, finding: string) => {
    const ra = at(d, a), rb = at(d, b);
    const ea = meanOf(ra, value), eb = meanOf(rb, value);
    const measured = ea !== null && eb !== null && ea !== 0 ? eb / ea : null;
    out.push({ finding, compared: `${d} ${b} / ${a} (${describeBase(base, d)})`, metric, paper, measured, kind: "ratio",
      verdict: verdict(paper, measured, "ratio"), estimated: anyEstimated([...ra, ...rb]) });
  };

  const batches = levels("batch_size");
  for (let i = 0; i + 1 < batches.length; i++) {
    change("batch_size", batches[i], batches[i + 1], "energy per output token (J)", energyPerOutputToken, -0.45, `batch ${batches[i]}→${batches[i + 1]} cuts energy ~45%`);
  }
  const quants = levels("quantization");
  if (quants.includes("fp16")) {
    if (quants.includes("int8")) ratio("quantization", "fp16", "int8", "energy per output token (J)", energyPerOutputToken, 1.4, "int8 uses 1.4× the energy of fp16");
    if (quants.includes("int4")) ratio("quantization", "fp16", "int4", "energy per output token (J)", energyPerOutputToken, 2.0, "int4 uses 2× the energy of fp16");
  }
  const inputs = levels("input_length");
  const paperInput = [-0.7, -0.4];
  for (let i = 0; i + 1 < inputs.length && i < paperInput.length; i++) {
    // The repeated-prefill window when every compared row has it: a lone prefill is shorter than a GPU energy
    // counter's 100 ms tick and reads 0 J or one tick. Never mixed: one row without it → the window figure.
    const compared = [...at("input_length", inputs[i]), ...at("input_length", inputs[i + 1])];
    const repeated = compared.length > 0 && compared.every((r) => figure(r, "prefill_j_per_input_token_repeated") !== null);
    const name = repeated ? "prefill_j_per_input_token_repeated" : "prefill_j_per_input_token";
    change("input_length", inputs[i], inputs[i + 1], `prefill energy per input token${repeated ? ", repeated prefills" : ", one prefill window"} (J)`, (r) => figure(r, name),
      paperInput[i], `energy per input token −${Math.round(-paperInput[i] * 100)}% (paper: ${i === 0 ? "128→512" : "512→1024"})`);
  }
  return out;
}
