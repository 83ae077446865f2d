// One definition per quantity: what tokens/s, J per token and dynamic energy mean, in one place. The sweep's
// rows are written with these functions (src/sweep/record.ts) and every reader — findings, summaries, the
// terminal table, notebooks, reports — reads a row's figures through rowQuantity(), never with its own formula.
//
// Figures are per generation: under the repeated-window protocol a row holds one generation's share of a window
// that ran the same generation `count` times (totals ÷ count), so the formulas are the same in both protocols.

/** Which devices an energy figure covers. `gpu`: the GPUs' counters only (comparable with a GPU-only baseline,
 * never an estimate where the GPU has a counter); `all`: GPU + CPU + DRAM (the CPU part may be estimated). */
export type EnergyScope = "gpu" | "all";
export const ENERGY_SCOPES: readonly EnergyScope[] = ["gpu", "all"];

export type QuantityName =
  | "tokens_per_s" | "decode_tokens_per_s"
  | "j_per_output_token" | "decode_j_per_output_token" | "j_per_input_token"
  | "energy_j" | "dynamic_energy_j";

export interface QuantityDefinition {
  unit: string;
  /** One line: what the number means. */
  meaning: string;
  /** Whether the figure is an energy (and so has a GPU-only and a with-CPU variant). */
  energy: boolean;
}

export const QUANTITIES: Readonly<Record<QuantityName, QuantityDefinition>> = {
  tokens_per_s: { unit: "tokens/s", energy: false,
    meaning: "output tokens of a generation (every row of the batch) over its wall time, prefill included" },
  decode_tokens_per_s: { unit: "tokens/s", energy: false,
    meaning: "tokens made by decode steps (output tokens less the first of each row, which prefill makes) over the decode steps' time" },
  j_per_output_token: { unit: "J/token", energy: true,
    meaning: "energy of the whole generation (prefill + decode) over its output tokens: the study's headline figure" },
  decode_j_per_output_token: { unit: "J/token", energy: true,
    meaning: "decode energy (generation less prefill) over the tokens the decode steps made" },
  j_per_input_token: { unit: "J/token", energy: true,
    meaning: "prefill energy over the prompt tokens (every row of the batch)" },
  energy_j: { unit: "J", energy: true,
    meaning: "energy of one generation, prefill + decode" },
  dynamic_energy_j: { unit: "J", energy: true,
    meaning: "energy above the idle baseline: total less idle power × seconds, at least 0 (equals the total without a baseline)" },
};

const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/** Output tokens over seconds. Units: tokens/s. */
export function tokensPerS(outputTokens: number, seconds: number): number | null {
  return finite(outputTokens) && finite(seconds) && seconds > 0 ? outputTokens / seconds : null;
}

/** Tokens the decode steps made: every row's first token comes from prefill. */
export function decodeTokens(outputTokens: number, rows: number): number {
  return Math.max(0, outputTokens - rows);
}

/** Decode tokens over decode seconds. Units: tokens/s. */
export function decodeTokensPerS(outputTokens: number, rows: number, decodeS: number): number | null {
  return tokensPerS(decodeTokens(outputTokens, rows), decodeS);
}

/** Energy over a token count; null without tokens. Units: J/token. */
export function jPerToken(energyJ: number | null, tokens: number | null): number | null {
  return finite(energyJ) && finite(tokens) && tokens > 0 ? energyJ / tokens : null;
}

/** Generation energy (prefill + decode) over output tokens. Units: J/token. */
export function jPerOutputToken(generationJ: number | null, outputTokens: number | null): number | null {
  return jPerToken(generationJ, outputTokens);
}

/** Decode energy over the tokens decode steps made. Units: J/token. */
export function decodeJPerOutputToken(decodeJ: number | null, outputTokens: number, rows: number): number | null {
  return jPerToken(decodeJ, decodeTokens(outputTokens, rows));
}

/** Prefill energy over prompt tokens. Units: J/token. */
export function jPerInputToken(prefillJ: number | null, inputTokens: number | null): number | null {
  return jPerToken(prefillJ, inputTokens);
}

/** Total less idle power × seconds, clamped at 0; the total when there is no baseline. Units: J. */
export function dynamicEnergyJ(totalJ: number, idlePowerW: number | null, seconds: number): number {
  return idlePowerW === null ? totalJ : Math.max(0, totalJ - idlePowerW * seconds);
}

// ---------------------------------------------------------------------------------------------------------
// Reading a stored row. Rows keep energy figures as `<name>_measured` / `<name>_estimated` pairs (exactly one
// filled); older rows lack the newer columns, so each quantity names where it is found, newest first.

type Cell = string | number | boolean | null | undefined;
export type RowLike = Readonly<Record<string, Cell>>;

export interface RowFigure {
  value: number | null;
  /** Any part came from an estimate (e.g. CPU energy from TDP × CPU time). */
  estimated: boolean;
  /** The column it was read from (or derived from), for tables that must say so. */
  column: string | null;
  /**
   * The window behind it spanned too few counter updates (src/meter/resolution.ts): left out of comparisons and
   * verdicts. Energy figures only; false for rows written before windows said so.
   */
  belowResolution: boolean;
}

function pair(row: RowLike, name: string): { value: number | null; estimated: boolean } {
  const m = row[`${name}_measured`];
  if (finite(m as number)) return { value: m as number, estimated: false };
  const e = row[`${name}_estimated`];
  if (finite(e as number)) return { value: e as number, estimated: true };
  const plain = row[name];
  return finite(plain as number) ? { value: plain as number, estimated: false } : { value: null, estimated: false };
}

const num = (row: RowLike, name: string): number | null => (finite(row[name] as number) ? (row[name] as number) : null);

/** The first of `columns` the row fills. */
function firstOf(row: RowLike, columns: readonly string[]): RowFigure {
  for (const column of columns) {
    const p = pair(row, column);
    if (p.value !== null) return { ...p, column, belowResolution: false };
  }
  return { value: null, estimated: false, column: null, belowResolution: false };
}

/** Whether a row's figure for `name` came from a window below the counter's resolution. */
export function belowResolution(row: RowLike, name: QuantityName): boolean {
  if (!QUANTITIES[name].energy) return false;
  const generation = row.below_resolution === true, prefill = row.prefill_below_resolution === true;
  if (name === "j_per_input_token") return prefill;
  if (name === "decode_j_per_output_token") return generation || prefill;
  return generation;
}

/** Column names (pairs where energy) that hold each quantity, newest first, per scope. */
export const QUANTITY_COLUMNS: Readonly<Record<QuantityName, Readonly<Record<EnergyScope, readonly string[]>>>> = {
  tokens_per_s: { gpu: ["throughput_tokens_per_s"], all: ["throughput_tokens_per_s"] },
  decode_tokens_per_s: { gpu: ["decode_tokens_per_s"], all: ["decode_tokens_per_s"] },
  j_per_output_token: { gpu: ["gpu_j_per_output_token"], all: ["j_per_output_token"] },
  decode_j_per_output_token: { gpu: ["gpu_decode_j_per_output_token"], all: ["decode_j_per_output_token"] },
  // older rows: the repeated-prefill columns first (a lone prefill window is below a GPU counter's resolution)
  j_per_input_token: {
    gpu: ["gpu_j_per_input_token", "prefill_gpu_j_per_input_token_repeated"],
    all: ["prefill_j_per_input_token_repeated", "prefill_j_per_input_token"],
  },
  energy_j: { gpu: ["gpu_energy_j"], all: ["energy_total_j"] },
  dynamic_energy_j: { gpu: [], all: ["energy_dynamic_j"] },
};

/**
 * A quantity of a stored row. Rows written before a column existed are derived with the same definition from
 * what they hold (J per output token: the energy columns over tokens_out), so old and new rows agree.
 */
export function rowQuantity(row: RowLike, name: QuantityName, scope: EnergyScope = "all"): RowFigure {
  const flagged = belowResolution(row, name);
  const stored = firstOf(row, QUANTITY_COLUMNS[name][scope]);
  if (stored.value !== null) return { ...stored, belowResolution: flagged };
  if (name === "j_per_output_token") {
    const energy = firstOf(row, QUANTITY_COLUMNS.energy_j[scope]);
    return { value: jPerOutputToken(energy.value, num(row, "tokens_out")), estimated: energy.estimated, column: energy.column, belowResolution: flagged };
  }
  return { ...stored, belowResolution: flagged };
}

/** The figure when it may enter a comparison: null when missing or below the counter's resolution. */
export function comparableQuantity(row: RowLike, name: QuantityName, scope: EnergyScope = "all"): number | null {
  const f = rowQuantity(row, name, scope);
  return f.belowResolution ? null : f.value;
}

/**
 * The quantity and scope a name stands for: a quantity's own name (scope "all"), or the first (newest) column that
 * holds it, e.g. "gpu_j_per_output_token" → j_per_output_token, GPU only. Null for any other column.
 */
export function quantityOfColumn(name: string): { name: QuantityName; scope: EnergyScope } | null {
  if (name in QUANTITIES) return { name: name as QuantityName, scope: "all" };
  for (const [q, scopes] of Object.entries(QUANTITY_COLUMNS) as [QuantityName, Record<EnergyScope, readonly string[]>][]) {
    for (const scope of ENERGY_SCOPES) if (scopes[scope][0] === name) return { name: q, scope };
  }
  return null;
}

/** "J/token (GPU only)"-style label for tables and charts. */
export function quantityLabel(name: QuantityName, scope: EnergyScope = "all"): string {
  const d = QUANTITIES[name];
  return `${name.replace(/_/g, " ")} (${d.unit}${d.energy ? scope === "gpu" ? ", GPU only" : ", GPU + CPU + DRAM" : ""})`;
}
