// Writes REPORT.md and cells.csv for the 7B shapes measured on one H100, from the raw files of its folder only:
//   npm run build && node dist/bench/h100-report.js [DIR] [--out OUTDIR]     (DIR: default results/h100-2026-12)
// Inputs under DIR: every metrics*.jsonl (wattlab sweeps and `wattlab meter --store` rows), gpu-*.csv (nvidia-smi at
// each script's start), info.txt (`wattlab info`), logs/call-*.txt (each script's own log), provenance/*.sh (the
// scripts) and any meter-*.json (`wattlab meter --json` of the Transformers commands). Every figure, ratio and
// verdict below is computed from them: change a row and the prose changes with it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { seedFindings, type Finding } from "../src/analysis/findings.js";
import { jPerInputToken, QUANTITIES, rowQuantity } from "../src/quantities.js";
import { SEED_STUDY } from "../src/sweep/builtin-specs.js";
import { toCsv } from "../src/sweep/csv.js";
import type { RunRecord } from "../src/sweep/record.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";
import { packageRoot } from "../src/version.js";
import { aggregate, formatInterval, METHOD_TEXT, ratioOfMeans, verdict, withinVerdict, type Aggregate, type RatioEstimate, type Verdict } from "../src/util/stats.js";
import { peaksAbove, relativeSpread, SPREAD_LIMIT, storesUnder } from "./protocol-check.js";
import { bytesPerStep, FLOOR_GOAL, floorShare, readBandwidth } from "./floor.js";
import { GPU_SHARE_GOAL, measuredSplit, readStepSplits } from "./step-split.js";
import { servingCurves, servingSection } from "./serving-curve.js";

/** The project's goals against the study's stack: ≥ 3× its tokens/s, ≤ ⅓ of its J per output token. */
export const STUDY_SPEED_GOAL = 3;
export const STUDY_ENERGY_GOAL = 1 / 3;
/** Issue 21's goals against the compiled (static-cache) Transformers path. */
export const F16_SPEED_GOAL = 1, F16_ENERGY_GOAL = 1, Q4_B1_ENERGY_GOAL = 0.6;
/** Issue 21: a headline cell whose J/token interval half-width exceeds this share of its median is marked too noisy. */
export const NOISY_HALF_WIDTH = 0.03;

/**
 * Why a cell is too noisy, from its own rows: when its tokens/s spread at least half as much as its J/token, the
 * generations' pace changed between repetitions (the run, not the meter); otherwise the energy readings varied at a
 * steady pace.
 */
function noisyReason(s: Pick<CellSummary, "spread" | "speedSpread">): string {
  return s.speedSpread >= s.spread / 2
    ? `tokens/s spread ${pct(s.speedSpread)} too: the generations' pace changed between repetitions`
    : `tokens/s held within ${pct(s.speedSpread)}: the energy readings varied at a steady pace`;
}

/** Issue 17: single sub-second windows spread at least this much (the figure the protocol is set against). */
export const SINGLE_WINDOW_SPREAD = 0.12;
/** The headline cells issue 21 asks for: every engine and weight form at batch 1 and 4, 128 in / 128 out. */
const EXPECTED: readonly { engine: string; device: string; variant: string | null; quantizations: readonly string[] }[] = [
  { engine: "llama.cpp", device: "cuda", variant: null, quantizations: ["fp16", "int8", "int4"] },
  { engine: "llama.cpp", device: "vulkan", variant: null, quantizations: ["fp16", "int8", "int4"] },
  { engine: "onnxruntime", device: "webgpu", variant: null, quantizations: ["fp16", "int8", "int4"] },
  { engine: "transformers", device: "cuda", variant: "default", quantizations: ["fp16"] },
  { engine: "transformers", device: "cuda", variant: "static", quantizations: ["fp16"] },
];
const HEADLINE_BATCHES = [1, 4];
const LLAMA_FORM: Record<string, string> = { fp16: "F16", int8: "Q8_0", int4: "Q4_0" };
const DEVICE_NAME: Record<string, string> = { vulkan: "Vulkan", cuda: "CUDA", webgpu: "WebGPU", cpu: "CPU" };

const col = (r: RunRecord, c: string): unknown => (r as Record<string, unknown>)[c];
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
/** A share as a percentage, e.g. 0.0171 → "1.71%": the one format of spreads in the report and the README. */
export const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(100 * x).toFixed(d)}%` : "–");
const withCi = (a: Aggregate, d: number) => (Number.isFinite(a.ci.low) ? `${fmt(a.mean, d)} [${fmt(a.ci.low, d)}, ${fmt(a.ci.high, d)}]` : `${fmt(a.mean, d)} [n < 2]`);
const ratioText = (r: RatioEstimate) => `×${formatInterval(r.ratio, r.ci, 3)}`;
const bold = (v: string) => `**${v}**`;

export interface Cell {
  model: string; engine: string; device: string;
  /** Transformers' variant (default | static); null for wattlab's engines. */
  variant: string | null;
  /** The weights as the engine names them: GGUF's F16/Q4_0, or the dtype. */
  weights: string; quantization: string;
  batch: number; input: number; output: number;
  /** The rows' measurement protocol: "repeated" windows or single "window"s. */
  measurement: string;
  /** Stores the rows came from, relative to the folder. */
  stores: string[];
  rows: RunRecord[];
  /** Per repetition, rows below the counter's resolution left out (src/quantities.ts). */
  tokensPerS: number[]; jPerToken: number[];
  belowResolution: number;
}

export const engineLabel = (c: Pick<Cell, "engine" | "device" | "variant">) =>
  c.engine === "transformers" ? `Transformers ${c.variant ?? "?"}` : `${c.engine} ${DEVICE_NAME[c.device] ?? c.device}${c.variant ? ` (${c.variant})` : ""}`;
export const cellLabel = (c: Cell) => `${engineLabel(c)} ${c.weights} b${c.batch}`;
const isBaseline = (c: Cell) => c.engine === "transformers";

function toCells(rows: readonly { r: RunRecord; store: string }[]): Cell[] {
  const byKey = new Map<string, Cell>();
  for (const { r, store } of rows) {
    // Transformers: the script's variant; llama.cpp: flash attention set on or off (auto, the default, is no variant)
    const flash = r.flash_attention === "on" || r.flash_attention === "off" ? `flash attention ${r.flash_attention}` : null;
    // llama.cpp's own environment switches (GGML_CUDA_DISABLE_GRAPHS=1, …) make a cell of their own too
    const env = typeof r.backend_env === "string" && r.backend_env !== "" ? r.backend_env : null;
    const variant = typeof col(r, "mark_variant") === "string" ? String(col(r, "mark_variant")) : [flash, env].filter(Boolean).join(", ") || null;
    const weights = String(r.weight_form ?? r.quantization).split(" ")[0];
    const measurement = String(r.measurement ?? "window");
    const key = [r.model, r.engine, r.device, variant, weights, r.batch_size, r.input_length, r.output_length, measurement].join("|");
    const c = byKey.get(key) ?? {
      model: String(r.model), engine: String(r.engine), device: String(r.device), variant, weights, quantization: String(r.quantization),
      batch: Number(r.batch_size), input: Number(r.input_length), output: Number(r.output_length), measurement,
      stores: [], rows: [], tokensPerS: [], jPerToken: [], belowResolution: 0,
    };
    if (!c.stores.includes(store)) c.stores.push(store);
    c.rows.push(r);
    const j = rowQuantity(r, "j_per_output_token", "gpu");
    if (j.belowResolution) c.belowResolution++;
    else if (j.value !== null) c.jPerToken.push(j.value);
    const tps = rowQuantity(r, "tokens_per_s").value;
    if (tps !== null && !j.belowResolution) c.tokensPerS.push(tps);
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

/** Study models first in the study's order, then engines (wattlab's before Transformers), weights, batch. */
function orderCells(cells: Cell[]): Cell[] {
  const models = SEED_STUDY.dimensions.model as string[];
  const m = (x: string) => (models.includes(x) ? models.indexOf(x) : models.length);
  return cells.sort((a, b) => m(a.model) - m(b.model) || a.model.localeCompare(b.model) || Number(isBaseline(a)) - Number(isBaseline(b)) ||
    engineLabel(a).localeCompare(engineLabel(b)) || a.weights.localeCompare(b.weights) || a.batch - b.batch || a.input - b.input || a.output - b.output);
}

export interface Versus { baseline: Cell; speed: RatioEstimate; energy: RatioEstimate; speedGoal: Verdict; energyGoal: Verdict }
export interface CellSummary {
  cell: Cell; tokensPerS: Aggregate; jPerToken: Aggregate; spread: number;
  /** The J/token interval's half-width over the median. */
  halfWidth: number; noisy: boolean;
  /** (max − min)/median of the repetitions' tokens/s: beside the J/token spread it says where a noisy cell's noise came from. */
  speedSpread: number;
  static: Versus | null; default: Versus | null;
}

interface Step { label: string; startS: number; endS: number | null; stored: string | null }
/** A script's log: `[N s] LABEL` lines, each step lasting to the next, with what it stored. */
function logSteps(text: string): Step[] {
  const steps: Step[] = [];
  for (const line of text.split("\n")) {
    const t = /^\[(\d+) s\] (.*)$/.exec(line);
    if (t) {
      if (steps.length) steps[steps.length - 1].endS = Number(t[1]);
      steps.push({ label: t[2].trim(), startS: Number(t[1]), endS: null, stored: null });
      continue;
    }
    const last = steps[steps.length - 1];
    if (!last) continue;
    const sweep = /(\d+) completed, (\d+) failed, (\d+) already done/.exec(line);
    const meter = /stored (\d+) window rows/.exec(line);
    const levels = /(\d+) levels? completed, (\d+) failed/.exec(line);
    if (levels) last.stored = `${levels[1]} serving levels completed, ${levels[2]} failed`;
    else if (sweep) last.stored = `${sweep[1]} rows completed, ${sweep[2]} failed`;
    else if (meter) last.stored = `${meter[1]} window rows`;
  }
  return steps.filter((s) => s.label !== "done");
}

/** A measured step; `gate` is the ENGINES key that guards it (`on KEY && …`, or inside `if on KEY; then … fi`). */
interface ScriptStep { label: string; command: string; gate?: string }
/**
 * A provenance script's measured steps, `$S` expanded: `log "LABEL"; timeout … $W CMD` on one line, and the `$W CMD`
 * lines that follow a `log "LABEL"` line of their own (a server started, then a sweep against it).
 */
function scriptSteps(text: string, loopModels: readonly string[] = SEED_STUDY.dimensions.model as string[]): ScriptStep[] {
  const s = /^S="([^"]*)"/m.exec(text)?.[1] ?? "";
  const out: ScriptStep[] = [];
  let label: string | null = null;
  const blocks: (string | null)[] = []; // the `if …; then` blocks open at this line, with the engine each one gates
  let lineGate: string | undefined;
  const push = (l: string, cmd: string, env = "") => {
    const gate = lineGate ?? blocks.filter((b): b is string => b !== null).at(-1);
    out.push({ label: l, command: `${env ? `${env} ` : ""}wattlab ${cmd.replace(/\$S\b/g, s)}`, ...(gate ? { gate } : {}) });
  };
  // Scripts that measure through shell functions (`sweep $M ENGINE DEVICE QUANTS DIR LIMIT_S [FLAGS…]`, optionally
  // prefixed `SWEEP_ENV=NAME=VALUE`, and `transformers $M LIMIT_S`, each logging "MODEL ENGINE DEVICE QUANTS[ FLAGS][
  // (NAME=VALUE)]" or "MODEL transformers static,default"), with $M set by `M=…` lines; quotes around words are dropped.
  const vars = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const gated = /^(\s*)on (\w+) && (.*)$/.exec(raw.replace(/"(\$[A-Za-z_]+)"/g, "$1"));
    const line = gated ? gated[1] + gated[3] : raw.replace(/"(\$[A-Za-z_]+)"/g, "$1");
    lineGate = gated?.[2];
    const opens = /^\s*if (.*); then\s*$/.exec(line);
    if (opens) { blocks.push(/^on (\w+)(?:$| && )/.exec(opens[1].trim())?.[1] ?? null); continue; }
    if (/^\s*fi\s*$/.test(line)) { blocks.pop(); continue; }
    if (/^[A-Z]=/.test(line)) for (const [, k, v] of line.matchAll(/\b([A-Z])=(\S+?)(?=;|\s|$)/g)) vars.set(k, v.replace(/^\$([A-Z])$/, (_, x: string) => vars.get(x) ?? v));
    // A model left unresolved (a loop's `for M in $MODELS`) stands for each model the run named (host.txt), else the study's.
    const models = (m: string): string[] => {
      const resolved = m.replace(/^\$([A-Z])$/, (_, x: string) => vars.get(x) ?? m);
      return resolved.startsWith("$") ? [...loopModels] : [resolved];
    };
    const fnSweep = /^\s*(?:SWEEP_ENV=(\S+) )?sweep (\S+) (\S+) (\S+) (\S+) \S+ \d+((?: \S+)*)\s*$/.exec(line);
    if (fnSweep) {
      const [, env, m, engine, device, quants, flags] = fnSweep;
      for (const x of models(m)) {
        push(`${x} ${engine} ${device} ${quants}${flags}${env ? ` (${env})` : ""}`, `sweep --model ${x} --engine ${engine} --device ${device} --quantization ${quants}${flags}`, env);
      }
      continue;
    }
    // `serving $M LIMIT_S`: wattlab serve (llama.cpp CUDA F16) and an openai sweep against it, logged as below.
    const fnServing = /\bserving (\S+) \d+(?:;|\s*$)/.exec(line);
    if (fnServing) {
      for (const x of models(fnServing[1])) {
        push(`${x} serving llama.cpp cuda fp16, concurrency 1,4,16,64`, `serve --model ${x} --engine llama.cpp --device cuda --quantization fp16, then wattlab sweep --engine openai --model ${x} --concurrency 1,4,16,64`);
      }
      continue;
    }
    const fnTransformers = /^\s*transformers (\S+) \d+\s*$/.exec(line);
    if (fnTransformers) {
      for (const x of models(fnTransformers[1])) push(`${x} transformers static,default`, `meter -- python3 bench/transformers_windows.py --model ${x} --variants static,default`);
      continue;
    }
    const inline = /^log "([^"]+)"; (?:run|timeout \$\(left\)) \$W (.*?)(?= 2>&1| > |;|$)/.exec(line);
    if (inline) { push(inline[1], inline[2]); label = null; continue; }
    const alone = /^log "([^"]+)"\s*$/.exec(line);
    if (alone) { label = alone[1]; continue; }
    const cmd = label ? /^(?:run |timeout \$\(left\) )?\$W (.*?)(?= 2>&1| > |;| &|$)/.exec(line) : null;
    if (cmd && label) push(label, cmd[1]);
  }
  return out;
}

const readIf = (dir: string, file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : "");
const listIf = (dir: string, sub: string, pattern: RegExp) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).filter((f) => pattern.test(f)).sort() : []);

/** nvidia-smi's CSV: header and rows, as records keyed by the header's names. */
function smiCsv(text: string): Record<string, string>[] {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) return [];
  const head = lines[0].split(",").map((h) => h.trim());
  return lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [head[i], v.trim()])));
}

export interface ProtocolSide {
  cell: Cell; store: string; values: number[]; aggregate: Aggregate; spread: number;
  flags: boolean[]; counterUpdates: number[]; windowsS: number[]; generations: number[];
}
export interface ProtocolCheck { configuration: string; repeated: ProtocolSide; single: ProtocolSide; holds: boolean; singleAtLeast: boolean }
export interface PeakLine { store: string; rows: number; maxW: number; column: string; key: string }

export interface H100Report {
  markdown: string; csv: string; summaries: CellSummary[]; protocol: ProtocolCheck[];
  /** The report's "In short" bullets and its title line, from which the README's block is written (readmeBlock). */
  short: string[]; title: string; shownDir: string;
  peaks: { lines: PeakLine[]; limitW: number | null; gpuLimitW: number | null; cpuTdpW: number | null; above: number; aboveGpu: number };
}

/** "2 hold, 1 undecided, 0 do not hold". */
const tally = (vs: readonly Verdict[]) => `${vs.filter((v) => v === "holds").length} hold, ${vs.filter((v) => v === "undecided").length} undecided, ${vs.filter((v) => v === "does not hold").length} do not hold`;

/**
 * llama.cpp's switches (flash attention set, GGML_CUDA_DISABLE_GRAPHS=1, …) against the same cells with its defaults,
 * measured in the same run: which configuration is faster and cheaper, and what each switch does to a decode step.
 */
function switchSection(switched: readonly CellSummary[], defaults: readonly CellSummary[]): { markdown: string; short: string } | null {
  const pairs = switched.flatMap((s) => {
    const b = defaults.find((d) => d.cell.model === s.cell.model && d.cell.engine === s.cell.engine && d.cell.device === s.cell.device && d.cell.variant === null &&
      d.cell.weights === s.cell.weights && d.cell.batch === s.cell.batch && d.cell.input === s.cell.input && d.cell.output === s.cell.output);
    if (!b) return [];
    const stepsMs = (c: Cell) => c.rows.filter((r) => r.below_resolution !== true).map((r) => r.decode_step_p50_s).filter((v): v is number => typeof v === "number" && v > 0).map((v) => 1000 * v);
    const speed = ratioOfMeans(b.cell.tokensPerS, s.cell.tokensPerS), energy = ratioOfMeans(b.cell.jPerToken, s.cell.jPerToken);
    const stepSwitch = aggregate(stepsMs(s.cell)), stepDefault = aggregate(stepsMs(b.cell));
    // The defaults win a cell when the switch's tokens/s interval lies below theirs, and lose it when it lies above.
    return [{ s, b, speed, energy, stepSwitch, stepDefault, faster: verdict(speed.ci, "<", 1), cheaper: verdict(energy.ci, ">", 1) }];
  });
  if (pairs.length === 0) return null;
  const verdicts = `Defaults faster: ${tally(pairs.map((p) => p.faster))}; defaults cheaper: ${tally(pairs.map((p) => p.cheaper))}`;
  const markdown = `## llama.cpp's switches against its defaults

The same cells run again in the same run with one switch changed (flash attention set on or off instead of llama.cpp's
automatic choice; an environment switch such as \`GGML_CUDA_DISABLE_GRAPHS=1\`). Ratios are the switched cell's mean over
the default cell's, with 95% intervals; the decode step is the median decode step of each repetition (\`decode_step_p50_s\`),
mean [95% CI]. "Defaults faster" holds when the switched cell's tokens/s ratio lies wholly below ×1, and "defaults cheaper"
when its J/token ratio lies wholly above ×1.

| model | cell | n | tokens/s × defaults | GPU J/token × defaults | decode step ms, defaults → switched | defaults faster | defaults cheaper |
|---|---|---|---|---|---|---|---|
${pairs.map((p) => `| ${p.s.cell.model} | ${cellLabel(p.s.cell)} | ${p.s.jPerToken.n} / ${p.b.jPerToken.n} | ${ratioText(p.speed)} | ${ratioText(p.energy)} | ${withCi(p.stepDefault, 2)} → ${withCi(p.stepSwitch, 2)} | ${p.faster} | ${p.cheaper} |`).join("\n")}

${verdicts} (of ${pairs.length} switched cells).
`;
  const short = `- llama.cpp's switches against its defaults, same run: ` + pairs.map((p) => `${cellLabel(p.s.cell)} tokens/s ${ratioText(p.speed)}, J/token ${ratioText(p.energy)}` +
    ` (decode step ${fmt(p.stepDefault.mean, 2)} → ${fmt(p.stepSwitch.mean, 2)} ms)`).join("; ") +
    `. ${verdicts}.`;
  return { markdown, short };
}

/** Builds the report from the folder's files; throws one line naming the folder when it holds no rows. */
export function buildH100Report(dir: string): H100Report {
  const stores = storesUnder(dir);
  if (stores.length === 0) throw new Error(`h100-report: ${dir} holds no metrics*.jsonl; name the results folder, e.g. results/h100-2026-12`);
  const all: { r: RunRecord; store: string }[] = [];
  for (const file of stores) {
    for (const r of effectiveRows(readResults(file).rows)) if (r.state === "completed") all.push({ r, store: relative(dir, file) });
  }
  const prefillRow = (r: RunRecord) => String(r.sweep ?? "").endsWith("-prefill");
  const generation = all.filter(({ r }) => !prefillRow(r));
  const allCells = orderCells(toCells(generation));
  const cells = allCells.filter((c) => c.measurement === "repeated");
  const singles = allCells.filter((c) => c.measurement !== "repeated");
  const prefillCells = orderCells(toCells(all.filter(({ r }) => prefillRow(r) || r.engine !== "transformers").filter(({ r }) => r.measurement === "repeated")));

  const baselineOf = (c: Cell, variant: string) => cells.find((b) => b.engine === "transformers" && b.variant === variant && b.model === c.model &&
    b.batch === c.batch && b.input === c.input && b.output === c.output);
  const versus = (c: Cell, variant: string): Versus | null => {
    const b = baselineOf(c, variant);
    if (!b || b === c) return null;
    const speed = ratioOfMeans(b.tokensPerS, c.tokensPerS), energy = ratioOfMeans(b.jPerToken, c.jPerToken);
    return { baseline: b, speed, energy, speedGoal: verdict(speed.ci, "≥", STUDY_SPEED_GOAL), energyGoal: verdict(energy.ci, "≤", STUDY_ENERGY_GOAL) };
  };
  const summarize = (c: Cell): CellSummary => {
    const j = aggregate(c.jPerToken);
    const halfWidth = (j.ci.high - j.ci.low) / 2 / j.median;
    return { cell: c, tokensPerS: aggregate(c.tokensPerS), jPerToken: j, spread: relativeSpread(c.jPerToken), halfWidth,
      noisy: !(halfWidth <= NOISY_HALF_WIDTH), static: versus(c, "static"), default: versus(c, "default"), speedSpread: relativeSpread(c.tokensPerS) };
  };
  const summaries = cells.map(summarize);
  // A llama.cpp switch (flash attention set on or off, an environment switch) probes a configuration: its cells are set
  // against the engine's defaults in a section of their own and stay out of the headline cells and their goals.
  const isSwitch = (c: Cell) => c.engine !== "transformers" && c.variant !== null;
  const headline = summaries.filter((s) => !isSwitch(s.cell));
  const models = [...new Set(cells.map((c) => c.model))];
  const bandwidth = readBandwidth(dir);
  const serving = servingSection(dir);

  // ---------------------------------------------------------------------------------------------------------
  // Protocol check: every configuration measured both ways (repeated windows, single windows).
  const side = (c: Cell): ProtocolSide => {
    const values = c.rows.map((r) => rowQuantity(r, "j_per_output_token", "gpu").value).filter((v): v is number => v !== null);
    return {
      cell: c, store: c.stores.join(", "), values, aggregate: aggregate(values), spread: relativeSpread(values),
      flags: c.rows.map((r) => r.below_resolution === true), counterUpdates: c.rows.map((r) => Number(r.counter_updates)),
      windowsS: c.rows.map((r) => Number(r.generation_window_s ?? r.energy_window_s)), generations: c.rows.map((r) => Number(r.generations ?? 1)),
    };
  };
  const protocol: ProtocolCheck[] = singles.flatMap((s) => {
    const rep = cells.find((c) => c.model === s.model && c.engine === s.engine && c.device === s.device && c.variant === s.variant &&
      c.weights === s.weights && c.batch === s.batch && c.input === s.input && c.output === s.output);
    if (!rep) return [];
    const repeated = side(rep), single = side(s);
    return [{ configuration: `${s.model}, ${cellLabel(s)}, ${s.input} in / ${s.output} out`, repeated, single,
      holds: repeated.spread <= SPREAD_LIMIT, singleAtLeast: single.spread >= SINGLE_WINDOW_SPREAD }];
  });

  // Peaks: every stored attempt in every store, against the GPU power limit + the CPU's TDP (info.txt).
  const info = readIf(dir, "info.txt");
  const gpuLimits = [...info.matchAll(/^\s*gpu\d+: .*?limit (\d+(?:\.\d+)?) W/gm)].map((m) => Number(m[1]));
  const gpuLimitW = gpuLimits.length ? gpuLimits.reduce((a, b) => a + b, 0) : null;
  const tdp = /estimate: (\d+(?:\.\d+)?) W/.exec(info);
  const cpuTdpW = tdp ? Number(tdp[1]) : null;
  const limitW = gpuLimitW === null ? null : gpuLimitW + (cpuTdpW ?? 0);
  const peakLines: PeakLine[] = stores.map((file) => {
    const rows = readResults(file).rows;
    let best: PeakLine = { store: relative(dir, file), rows: rows.length, maxW: NaN, column: "–", key: "–" };
    for (const r of rows) {
      for (const column of ["peak_power_w_measured", "peak_power_w_estimated"]) {
        const v = col(r, column);
        if (typeof v === "number" && !(v <= best.maxW)) best = { ...best, maxW: v, column, key: r.key };
      }
    }
    return best;
  });
  const above = limitW === null ? 0 : peaksAbove(stores, limitW).length;
  const aboveGpu = gpuLimitW === null ? 0 : peaksAbove(stores, gpuLimitW).length;
  const meterPeaks = [...new Set(stores.map((f) => dirname(f)))].flatMap((d) => listIf(d, ".", /^meter-.*\.json$/).map((f) => {
    // the child's own output comes first (it shares stdout), then wattlab meter's JSON from its first "{" line
    const text = readFileSync(join(d, f), "utf8");
    const at = text.startsWith("{") ? 0 : text.indexOf("\n{") + 1;
    let m: { measurement?: { peakPowerW?: number | null; seconds?: number } } = {};
    try { m = at > 0 || text.startsWith("{") ? JSON.parse(text.slice(at)) : {}; } catch { m = {}; }
    return { file: relative(dir, join(d, f)), peakW: Number(m.measurement?.peakPowerW ?? NaN), seconds: Number(m.measurement?.seconds ?? NaN) };
  }));

  // ---------------------------------------------------------------------------------------------------------
  const out: string[] = [];
  const root = packageRoot();
  /** The folder as the command names it: relative to the repo where it lies inside it. */
  const shownDir = dir.startsWith(root + "/") ? relative(root, dir) : dir;
  const gpuNames = [...new Set(all.map(({ r }) => r.gpu_model).filter(Boolean))];
  const dates = all.map(({ r }) => String(r.started_at ?? "")).filter(Boolean).sort();
  const day = (s: string | undefined) => (s ? s.slice(0, 10) : "–");
  out.push(`# ${models.length === 1 ? `The ${models[0]} shape` : "The 7B shapes"} on one ${gpuNames.join(", ") || "GPU"}: ${[...new Set(cells.filter((c) => !isBaseline(c) && !isSwitch(c)).map((c) => engineLabel(c)))].join(", ") || "llama.cpp"} beside both Transformers paths, with repeated windows

Generated by \`node dist/bench/h100-report.js ${shownDir}\` from the raw files in this folder (rows
measured ${day(dates[0])}${day(dates[0]) === day(dates[dates.length - 1]) ? "" : ` to ${day(dates[dates.length - 1])}`}); every figure and verdict below is computed from them.
Energy is **GPU joules only** (NVML's total-energy counter): the CPU share on this node is an estimate (no RAPL exposed),
and the Transformers path is judged on the same counter. The figure compared everywhere is
**GPU J per output token** (\`j_per_output_token\`, GPU scope, \`src/quantities.ts\`): ${QUANTITIES.j_per_output_token.meaning}.
Tokens/s: ${QUANTITIES.tokens_per_s.meaning}. Each figure is the mean of a cell's repetitions with its ${METHOD_TEXT.t};
a ratio is a ratio of means with a 95% interval (delta method on the log ratio, Welch df); a claim **holds** when its
whole interval meets the threshold, **does not hold** when none of it does, and is **undecided** when the interval
straddles it. Rows whose window spanned too few counter updates (\`below_resolution\`) are left out of every
comparison and counted. Weights are seeded random values at the models' true shapes: with fixed-length generation,
time and energy depend on shapes and dtypes, not on weight values.
`);

  // In short.
  const vk = headline.filter((s) => !isBaseline(s.cell));
  const range = (xs: number[], d = 2) => (xs.length ? `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}` : "–");
  const every = (vs: Verdict[]): Verdict => (vs.length === 0 ? "undecided" : vs.some((v) => v === "does not hold") ? "does not hold" : vs.every((v) => v === "holds") ? "holds" : "undecided");
  const vsStatic = vk.filter((s) => s.static), vsDefault = vk.filter((s) => s.default);
  const shortBullets: string[] = [];
  for (const p of protocol) {
    shortBullets.push(`- Protocol check (${p.configuration}): GPU J/token spreads ${pct(p.repeated.spread)} (max − min over median) over ${p.repeated.values.length} repeated windows ` +
      `against ${pct(p.single.spread)} over ${p.single.values.length} single sub-second windows of the same run; spread ≤ ${pct(SPREAD_LIMIT, 0)}: ${bold(p.holds ? "holds" : "does not hold")}.`);
  }
  const noisyRepeated = summaries.filter((s) => s.spread > SPREAD_LIMIT);
  shortBullets.push(`- Spread ≤ ${pct(SPREAD_LIMIT, 0)} in ${summaries.length - noisyRepeated.length} of ${summaries.length} repeated-window cells${noisyRepeated.length ? `; above it: ${noisyRepeated.map((s) => `${s.cell.model} ${cellLabel(s.cell)} ${pct(s.spread)}`).join(", ")}` : ""}.`);
  const maxPeak = peakLines.reduce((a, p) => (p.maxW > a.maxW ? p : a), peakLines[0]);
  shortBullets.push(limitW === null
    ? `- Peaks: no GPU power limit in info.txt; highest stored peak ${fmt(maxPeak.maxW, 0)} W.`
    : `- Highest stored peak power ${fmt(maxPeak.maxW, 0)} W (${maxPeak.store}) against the GPU's ${fmt(gpuLimitW!, 0)} W limit + the CPU's ${fmt(cpuTdpW ?? 0, 0)} W TDP estimate = ${fmt(limitW, 0)} W: ${above} stored rows above it.`);
  if (vsStatic.length) {
    shortBullets.push(`- ${[...new Set(vsStatic.map((s) => engineLabel(s.cell)))].join(", ")} against Transformers static (static cache, compiled) at the same model and batch: ` +
      `${range(vsStatic.map((s) => s.static!.speed.ratio))}× its tokens/s at ${range(vsStatic.map((s) => s.static!.energy.ratio))}× its GPU J/token over ${vsStatic.length} cells` +
      (vsDefault.length ? `; against Transformers default: ${range(vsDefault.map((s) => s.default!.speed.ratio))}× at ${range(vsDefault.map((s) => s.default!.energy.ratio))}× over ${vsDefault.length} cells.` : "; Transformers default was not run here."));
    const againstDefault = (goal: (s: CellSummary) => Verdict) => (vsDefault.length ? `; against default ${tally(vsDefault.map(goal))}` : "");
    shortBullets.push(`- ≤ ⅓ of the baseline's J/token: against static ${tally(vsStatic.map((s) => s.static!.energyGoal))}${againstDefault((s) => s.default!.energyGoal)}. ` +
      `≥ 3× its tokens/s: against static ${tally(vsStatic.map((s) => s.static!.speedGoal))}${againstDefault((s) => s.default!.speedGoal)}.`);
  }
  // filled in once the findings are computed (below)
  const shortAt = out.push("") - 1;

  // ---------------------------------------------------------------------------------------------------------
  // Hardware and software.
  const gpuFiles = listIf(dir, ".", /^gpu-.*\.csv$/);
  const smiRows = gpuFiles.flatMap((f) => smiCsv(readIf(dir, f)).map((r) => ({ f, r })));
  const smiKeys = smiRows.length ? Object.keys(smiRows[0].r) : [];
  out.push(`## Hardware and software

nvidia-smi at the start of each script (${gpuFiles.map((f) => `\`${f}\``).join(", ")}): ${gpuFiles.length} run${gpuFiles.length === 1 ? "" : "s"}${new Set(smiRows.map(({ r }) => r.name)).size === 1 && gpuFiles.length > 1 ? ", each on a node of the same kind" : ""}.

| file | ${smiKeys.join(" | ")} |
|${"---|".repeat(smiKeys.length + 1)}
${smiRows.map(({ f, r }) => `| ${f} | ${smiKeys.map((k) => r[k]).join(" | ")} |`).join("\n")}

\`wattlab info\` on the node (\`info.txt\`):

\`\`\`
${info.trim().split("\n").filter((l) => !l.startsWith("warning:")).join("\n")}
\`\`\`
${/onnxruntime missing/.test(info) && cells.some((c) => c.engine === "onnxruntime")
    ? `\nIt was written before onnxruntime was in place: the onnxruntime rows' \`backend_version\` (${[...new Set(cells.filter((c) => c.engine === "onnxruntime").flatMap((c) => c.rows.map((r) => String(r.backend_version))))].join(", ")}) names the one that ran.\n`
    : ""}`);
  const versionColumns = ["gpu_model", "gpu_driver", "cpu_model", "os", "node_version", "backend_version", "mark_transformers_version",
    "mark_torch_version", "mark_attention", "wattlab_version", "git_commit", "protocol_hash"];
  const storeNames = [...new Set(all.map((a) => a.store))].sort();
  out.push(`As the rows record them (distinct values per store):

| column | ${storeNames.map((s) => `\`${dirname(s)}\``).join(" | ")} |
|${"---|".repeat(storeNames.length + 1)}
${versionColumns.map((c) => `| ${c} | ${storeNames.map((s) => {
    const vs = [...new Set(all.filter((a) => a.store === s).map((a) => col(a.r, c)).filter((v) => v !== null && v !== undefined).map(String))];
    return vs.length ? vs.map((v) => (c === "git_commit" ? v.slice(0, 10) : v)).join("; ") : "–";
  }).join(" | ")} |`).join("\n")}

Protocols named by the rows: ${[...new Set(all.map(({ r }) => r.protocol).filter(Boolean))].map((p) => `"${p}"`).join("; ")}; the Transformers rows come from
\`wattlab meter --store\` windows of \`bench/transformers_windows.py\`, which repeats each generation back to back inside
one named window until it lasts ≥ 2 s and counts ≥ 3 generations (\`generations\` per row: ${[...new Set(all.filter(({ r }) => r.engine === "transformers" && !prefillRow(r)).map(({ r }) => Number(r.generations)))].sort((a, b) => a - b).join(", ")}
for full generations, ${range(all.filter(({ r }) => prefillRow(r)).map(({ r }) => Number(r.generations)), 0)} for the prefill-only windows); the static variant warms up
until three generations in a row agree within 3% (rows' \`mark_warmup_generations\`: ${[...new Set(all.filter(({ r }) => col(r, "mark_variant") === "static").map(({ r }) => Number(col(r, "mark_warmup_generations"))))].sort((a, b) => a - b).join(", ")}).
Prompts: llama.cpp rows \`dataset_used\` = ${[...new Set(all.filter(({ r }) => r.engine !== "transformers").map(({ r }) => String(r.dataset_used)))].join(", ")} at a fixed ${[...new Set(cells.map((c) => c.input))].join("/")}-token length;
the Transformers rows use random token ids of the same length (the script's \`torch.randint\`).
`);

  // ---------------------------------------------------------------------------------------------------------
  // What was run, and what was not.
  const scripts = listIf(dir, "provenance", /\.sh$/);
  // gpu-study.sh records the models it was given (`models: …` in host.txt): a folder may hold one model's call.
  const runModels = /^models: (.+)$/m.exec(readIf(dir, "host.txt"))?.[1]?.trim().split(/\s+/);
  // …and the engine steps it was told to run (`engines: …`, its ENGINES): a step left out there was not meant to run.
  const runEngines = /^engines: (.+)$/m.exec(readIf(dir, "host.txt"))?.[1]?.trim().split(",");
  const logs = listIf(dir, "logs", /^call-.*\.txt$/);
  const stepRows: string[] = [];
  const stepsByScript = new Map<string, { steps: ScriptStep[]; log: Step[]; deadline: number | null; text: string }>();
  for (const s of scripts) {
    const text = readIf(dir, join("provenance", s));
    const logName = logs.find((l) => l === `call-${s.replace(/\.sh$/, "")}.txt`);
    const log = logName ? logSteps(readIf(dir, join("logs", logName))) : [];
    const deadline = /DEADLINE:-(\d+)/.exec(text);
    stepsByScript.set(s, { steps: scriptSteps(text, runModels), log, deadline: deadline ? Number(deadline[1]) : null, text });
    for (const st of log) stepRows.push(`| \`provenance/${s}\` | ${st.label} | ${st.startS} | ${st.endS === null ? "–" : st.endS - st.startS} | ${st.stored ?? "no row count in the log"} |`);
  }
  const has = (model: string, e: typeof EXPECTED[number], q: string, batch: number) => cells.some((c) => c.model === model && c.engine === e.engine &&
    c.device === e.device && c.variant === e.variant && c.quantization === q && c.batch === batch && c.input === 128 && c.output === 128);
  const studyModels = SEED_STUDY.dimensions.model as string[];
  const bundle = [...stepsByScript.values()].map((x) => /wattlab bundle [^`)]*/.exec(x.text)?.[0]?.trim()).find(Boolean);
  const bundleEngines = bundle ? /--engines (\S+)/.exec(bundle)?.[1]?.split(",") ?? [] : [];
  const bundleBackends = bundle ? /--llama-backends (\S+)/.exec(bundle)?.[1]?.split(",") ?? [] : [];
  const onnxLine = info.split("\n").find((l) => /onnxruntime missing/.test(l))?.trim().replace(/:.*$/, "");
  /** Why a headline cell of one model has no rows: its script step and what the log says, else why no step exists. */
  const whyNot = (m: string, e: typeof EXPECTED[number], q: string): string => {
    for (const [s, { steps, log, deadline }] of stepsByScript) {
      const step = steps.find((st) => st.command.includes(`--model ${m}`) && (e.engine === "transformers"
        ? st.command.includes("transformers_windows.py") && new RegExp(`--variants \\S*\\b${e.variant}\\b`).test(st.command)
        : st.command.startsWith("wattlab sweep ") && st.command.includes(`--engine ${e.engine}`) && st.command.includes(`--device ${e.device}`) && new RegExp(`--quantization \\S*\\b${q}\\b`).test(st.command)));
      if (!step) continue;
      const ran = log.find((l) => l.label === step.label);
      if (!ran && step.gate && runEngines && !runEngines.includes(step.gate)) {
        return `left out of this run: it ran the engine steps ${runEngines.join(", ")} only (\`host.txt\`, the script's ENGINES)`;
      }
      if (!ran) return `\`provenance/${s}\` step "${step.label}" has no entry in its log`;
      return `\`provenance/${s}\` step "${step.label}" started ${ran.startS} s into the script` +
        (deadline !== null ? `, ${deadline - ran.startS} s before its ${deadline} s limit (DEADLINE), and ended at ${fmt(ran.endS ?? NaN, 0)} s` : "") + ` with ${ran.stored ?? "no row count in the log"}`;
    }
    if (bundle && ((e.engine !== "transformers" && !bundleEngines.includes(e.engine)) || (e.engine === "llama.cpp" && bundleBackends.length > 0 && !bundleBackends.includes(e.device)))) {
      return `not in the bundle the scripts ran (\`${bundle}\`)${e.engine === "onnxruntime" && onnxLine ? `; \`info.txt\`: "${onnxLine}"` : ""}`;
    }
    if (runModels && !runModels.includes(m)) return `not this folder's run: it was given ${runModels.join(", ")} only (\`host.txt\`); the other model's run has a folder of its own`;
    return "no command for it in `provenance/`";
  };
  const notRunEntries: { engine: string; form: string; text: string }[] = [];
  for (const e of EXPECTED) {
    for (const q of e.quantizations) {
      const missing = studyModels.map((m) => ({ m, batches: HEADLINE_BATCHES.filter((b) => !has(m, e, q, b)) })).filter((x) => x.batches.length > 0);
      if (missing.length === 0) continue;
      const why = missing.map(({ m, batches }) => ({ who: `${m}${batches.length < HEADLINE_BATCHES.length ? ` (batch ${batches.join(", ")})` : ""}`, why: whyNot(m, e, q) }));
      const text = new Set(why.map((w) => w.why)).size === 1 ? `${why.map((w) => w.who).join(" and ")}: ${why[0].why}` : why.map((w) => `${w.who}: ${w.why}`).join("; ");
      notRunEntries.push({ engine: engineLabel({ ...e }), form: e.engine === "llama.cpp" ? LLAMA_FORM[q] : q, text });
    }
  }
  const notRun: string[] = [];
  for (const entry of notRunEntries) {
    if (notRun.length && notRunEntries.some((x, i) => i < notRunEntries.indexOf(entry) && x.engine === entry.engine && x.text === entry.text)) continue;
    const forms = notRunEntries.filter((x) => x.engine === entry.engine && x.text === entry.text).map((x) => x.form);
    notRun.push(`- **${entry.engine} ${forms.join(", ")}**: ${entry.text}.`);
  }
  const seen = (d: string) => [...new Set(cells.map((c) => col(c.rows[0], d)))].map(String);
  const dimsNotRun = (["input_length", "output_length", "batch_size", "dataset"] as const).map((d) => {
    const study = (SEED_STUDY.dimensions[d] as (string | number)[]).map(String);
    const measured = d === "dataset" ? [...new Set(all.filter(({ r }) => r.engine !== "transformers").map(({ r }) => String(r.dataset)))] : seen(d);
    const missing = study.filter((v) => !measured.includes(v));
    return missing.length ? `${d} ${missing.join("/")} (measured: ${measured.join("/") || "none"})` : null;
  }).filter(Boolean);
  out.push(`## What was run, and what was not

${scripts.length} script${scripts.length === 1 ? "" : "s"} in \`provenance/\`, each run once on a node with one ${gpuNames.join(", ") || "GPU"}, every step after the previous one
(no two measurements at once); their steps as their logs (\`logs/call-*.txt\`) record them.

| script | step | started (s) | lasted (s) | stored |
|---|---|---|---|---|
${stepRows.join("\n")}

${cells.length === 0 ? "No run completed with repeated windows: the stores hold failed rows only (their error_message says why; logs/ holds each step's output)." :
  `Measured, 128 tokens in / 128 out: ${[...new Set(cells.map((c) => `${c.model} ${engineLabel(c)} ${c.weights}`))].join("; ")}; batch ${[...new Set(cells.map((c) => c.batch))].join(" and ")}
each, ${[...new Set(cells.map((c) => c.rows.length))].sort((a, b) => a - b).join(" or ")} repetitions per cell${singles.length ? `; plus the protocol check's single-window cell${singles.length === 1 ? "" : "s"} (${singles.map((s) => `${s.model} ${cellLabel(s)}`).join(", ")})` : ""}.`}

**Not run** (of the headline cells: every engine and weight form at batch ${HEADLINE_BATCHES.join(" and ")}, both models):
${notRun.join("\n")}

**Not run either**: ${[dimsNotRun.length ? `the rest of the study's one-at-a-time sweep — ${dimsNotRun.join("; ")}` : null,
    bandwidth ? null : "the bandwidth floor (no bandwidth was measured on this node, so no share of a floor is reported)",
    serving ? null : "the serving curve", readStepSplits(dir).length ? null : "the split of a decode step's fixed cost (not measured: no per-kernel timing was taken)"].filter(Boolean).join("; ")}.
`);

  // ---------------------------------------------------------------------------------------------------------
  // Protocol check.
  const list = (xs: number[], d: number) => xs.map((x) => fmt(x, d)).join(", ");
  out.push(`## The protocol check (issue 17)

The same configuration measured twice in the same run, one after the other: with the protocol's repeated windows (the
same generation back to back inside one metered window until it spans enough counter updates; per-generation figures
are the window's totals ÷ its count) and with single sub-second windows (\`--measurement window\`). Values: GPU J per
output token per repetition, in order.
`);
  for (const p of protocol) {
    const line = (label: string, s: ProtocolSide) => `| ${label} | \`${s.store}\` | ${s.values.length} | ${list(s.values, 4)} | ${fmt(s.aggregate.median, 4)} | ${pct(s.spread)} | ` +
      `${withCi(s.aggregate, 4)} | ${s.flags.map(String).join(", ")} | ${list(s.counterUpdates, 1)} | ${list(s.generations, 0)} | ${list(s.windowsS, 2)} |`;
    const r = ratioOfMeans(p.repeated.values, p.single.values);
    out.push(`### ${p.configuration}

| windows | store | n | GPU J/token per repetition | median | spread (max − min)/median | mean [95% CI] | below_resolution | counter_updates | generations | window (s) |
|---|---|---|---|---|---|---|---|---|---|---|
${line("repeated (protocol)", p.repeated)}
${line("single", p.single)}

- Spread ≤ ${pct(SPREAD_LIMIT, 0)} with repeated windows: ${bold(p.holds ? "holds" : "does not hold")} (${pct(p.repeated.spread)}); single windows spread ${pct(p.single.spread)}
  (${p.singleAtLeast ? "at least" : "below"} the ${pct(SINGLE_WINDOW_SPREAD, 0)} issue 17 set the protocol against), and ${p.single.flags.filter(Boolean).length} of ${p.single.flags.length} of them are flagged
  \`below_resolution\` (${p.repeated.flags.filter(Boolean).length} of ${p.repeated.flags.length} repeated windows), so they enter no comparison elsewhere in this report.
- The single windows' mean is ${ratioText(r)} the repeated windows' mean: a window of about ${fmt(Math.min(...p.single.windowsS), 2)} s spans
  ${fmt(Math.min(...p.single.counterUpdates), 1)}–${fmt(Math.max(...p.single.counterUpdates), 1)} counter updates, so one update more or less moves its figure by about ${pct(1 / Math.min(...p.single.counterUpdates), 0)}.
`);
  }
  if (protocol.length === 0) out.push("No configuration here was measured with both repeated and single windows.\n");
  out.push(`Spread of every repeated-window cell (the same statistic; ≤ ${pct(SPREAD_LIMIT, 0)} is the protocol's aim, not a goal each cell was
set to meet):

| model | cell | n | spread | ≤ ${pct(SPREAD_LIMIT, 0)} |
|---|---|---|---|---|
${summaries.map((s) => `| ${s.cell.model} | ${cellLabel(s.cell)} | ${s.jPerToken.n} | ${pct(s.spread)} | ${s.spread <= SPREAD_LIMIT ? "yes" : "no"} |`).join("\n")}

### Peak power

Each stored row's peak is the largest power sample in its window (\`peak_power_w_measured\`, or \`_estimated\` where the CPU
part is an estimate), every stored attempt included. Limit: ${gpuLimitW === null ? "unknown (no GPU power limit in info.txt)" :
    `the GPU's power limit ${fmt(gpuLimitW, 0)} W + the CPU's TDP estimate ${cpuTdpW === null ? "(none in info.txt)" : `${fmt(cpuTdpW, 0)} W`} = **${fmt(limitW!, 0)} W** (\`info.txt\`)`}.

| store | rows | highest peak (W) | column | row |
|---|---|---|---|---|
${peakLines.map((p) => `| \`${p.store}\` | ${p.rows} | ${fmt(p.maxW, 1)} | ${p.column} | \`${p.key}\` |`).join("\n")}
${meterPeaks.map((m) => `| \`${m.file}\` (the whole command, \`wattlab meter --json\`) | – | ${fmt(m.peakW, 1)} | peakPowerW | ${fmt(m.seconds, 0)} s |`).join("\n")}

Rows above ${fmt(limitW ?? NaN, 0)} W: **${limitW === null ? "not checked" : above}**; above the GPU's own ${fmt(gpuLimitW ?? NaN, 0)} W limit: **${gpuLimitW === null ? "not checked" : aboveGpu}**.
`);

  // ---------------------------------------------------------------------------------------------------------
  // Per-cell table.
  const vsText = (v: Versus | null, self: boolean, missing: string) => (self ? ["(baseline)", "(baseline)"] : v ? [ratioText(v.speed), ratioText(v.energy)] : [missing, missing]);
  const anyDefault = (m: string) => cells.some((c) => c.model === m && c.variant === "default");
  out.push(`## Per cell

128 tokens in / 128 out. Spread: (max − min)/median of the J/token repetitions; ±: the J/token interval's half-width over
its median (issue 21 marks a cell too noisy above ${pct(NOISY_HALF_WIDTH, 0)}). Speed × and J/token × are this cell's mean over the
baseline's (Transformers at the same model and batch, fp16), with their 95% intervals. Also in \`cells.csv\`.

| model | engine | weights | batch | n | tokens/s [95% CI] | GPU J/output token [95% CI] | median | spread | ± (half-width / median) | speed × static | J/token × static | speed × default | J/token × default |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${summaries.map((s) => {
    const c = s.cell;
    const st = vsText(s.static, c.variant === "static", "no static rows"), de = vsText(s.default, c.variant === "default", anyDefault(c.model) ? "no default rows" : "not run");
    return `| ${c.model} | ${engineLabel(c)} | ${c.weights} | ${c.batch} | ${s.jPerToken.n}${c.belowResolution ? ` (+${c.belowResolution} below resolution)` : ""} | ${withCi(s.tokensPerS, 1)} | ` +
      `${withCi(s.jPerToken, 3)} | ${fmt(s.jPerToken.median, 3)} | ${pct(s.spread)} | ${pct(s.halfWidth, 1)}${s.noisy ? " **too noisy**" : ""}${s.jPerToken.n < 3 ? " **n < 3**" : ""} | ${st[0]} | ${st[1]} | ${de[0]} | ${de[1]} |`;
  }).join("\n")}

Transformers static = \`generate(cache_implementation="static")\`, which compiles (torch.compile) on first use; Transformers
default = \`generate()\` as it comes (dynamic cache, eager). Quantized llama.cpp cells are set against the fp16 baselines,
as in the study. ${summaries.some((s) => s.noisy) ? `Too noisy (± above ${pct(NOISY_HALF_WIDTH, 0)}), with where the noise came from: ${summaries.filter((s) => s.noisy).map((s) => `${s.cell.model} ${cellLabel(s.cell)} (${pct(s.halfWidth, 1)}, spread ${pct(s.spread)}; ${noisyReason(s)})`).join("; ")}.` : `Every cell's ± is within ${pct(NOISY_HALF_WIDTH, 0)}.`}${summaries.some((s) => s.jPerToken.n < 3) ? ` Fewer than 3 usable repetitions: ${summaries.filter((s) => s.jPerToken.n < 3).map((s) => `${s.cell.model} ${cellLabel(s.cell)} (n = ${s.jPerToken.n})`).join("; ")}.` : ""}
`);

  // Verdicts against both baselines.
  const claim = (s: CellSummary, v: Versus, kind: "energy" | "speed") => {
    const base = engineLabel(v.baseline);
    return kind === "energy"
      ? `${s.cell.model}: ${cellLabel(s.cell)} uses ≤ ⅓ of ${base}'s GPU J/token: ${bold(v.energyGoal)} (${ratioText(v.energy)})`
      : `${s.cell.model}: ${cellLabel(s.cell)} runs at ≥ ${STUDY_SPEED_GOAL}× ${base}'s tokens/s: ${bold(v.speedGoal)} (${ratioText(v.speed)})`;
  };
  out.push(`## The project's goals against both Transformers paths

The project set out to run at ≥ ${STUDY_SPEED_GOAL}× the study's stack's tokens/s at ≤ ⅓ of its J per output token. Each claim is judged
by the 95% interval of its ratio.

| model | cell | J/token ≤ ⅓ static | speed ≥ 3× static | J/token ≤ ⅓ default | speed ≥ 3× default |
|---|---|---|---|---|---|
${vk.filter((s) => s.static || s.default).map((s) => `| ${s.cell.model} | ${cellLabel(s.cell)} | ${s.static?.energyGoal ?? "–"} | ${s.static?.speedGoal ?? "–"} | ${s.default?.energyGoal ?? "–"} | ${s.default?.speedGoal ?? "–"} |`).join("\n")}

${vk.flatMap((s) => [s.static, s.default].filter((v): v is Versus => v !== null).map((v) => `- ${claim(s, v, "energy")}; ${claim(s, v, "speed").replace(/^[^:]+: /, "")}.`)).join("\n")}
`);

  // Issue 21's goals against the compiled path.
  const goalLines: string[] = [], goalShort: string[] = [];
  for (const m of models) {
    // The goals are set for the faster engine at F16: the one with the most tokens/s at batch 1 (others listed after it).
    // A switch's cell may be the faster one: the goal is then judged on it, and the switch section says the defaults lose.
    const f16All = summaries.filter((s) => s.cell.model === m && s.cell.engine !== "transformers" && ["F16", "fp16"].includes(s.cell.weights) && s.static);
    const b1Speed = (label: string) => f16All.find((s) => engineLabel(s.cell) === label && s.cell.batch === 1)?.tokensPerS.mean ?? -Infinity;
    const fastest = [...new Set(f16All.map((s) => engineLabel(s.cell)))].sort((a, b) => b1Speed(b) - b1Speed(a))[0];
    const f16 = f16All.filter((s) => engineLabel(s.cell) === fastest);
    if (f16.length) {
      const speed = f16.map((s) => verdict(s.static!.speed.ci, "≥", F16_SPEED_GOAL)), energy = f16.map((s) => verdict(s.static!.energy.ci, "≤", F16_ENERGY_GOAL));
      const others = f16All.filter((s) => engineLabel(s.cell) !== fastest);
      goalShort.push(`${m} ${fastest} F16 (the faster engine) ≥ its tokens/s and ≤ its J/token in every cell: ${bold(every([...speed, ...energy]))}`);
      goalLines.push(`- ${m}: ${fastest} (the faster engine at F16, batch 1) at ≥ Transformers static's tokens/s and ≤ its J/token in every cell: ${bold(every([...speed, ...energy]))} — ` +
        f16.map((s, i) => `${cellLabel(s.cell)}: speed ${ratioText(s.static!.speed)} (${speed[i]}), J/token ${ratioText(s.static!.energy)} (${energy[i]})`).join("; ") +
        (others.length ? `. The other engines at F16: ${others.map((s) => `${cellLabel(s.cell)} speed ${ratioText(s.static!.speed)}, J/token ${ratioText(s.static!.energy)}`).join("; ")}` : "") + ".");
    }
    // Q4_0 is llama.cpp's 4-bit GGUF form; onnxruntime's int4 (MatMulNBits) is a different format and stays in the table.
    const q4 = headline.filter((s) => s.cell.model === m && s.cell.engine === "llama.cpp" && s.cell.quantization === "int4" && s.cell.batch === 1 && s.static);
    for (const s of q4) {
      goalShort.push(`${m} ${engineLabel(s.cell)} Q4_0 b1 ≤ ${Q4_B1_ENERGY_GOAL}× its J/token: ${bold(verdict(s.static!.energy.ci, "≤", Q4_B1_ENERGY_GOAL))} (${ratioText(s.static!.energy)})`);
      goalLines.push(`- ${m}: ${cellLabel(s.cell)} at ≤ ${Q4_B1_ENERGY_GOAL}× Transformers static's fp16 J/token: ${bold(verdict(s.static!.energy.ci, "≤", Q4_B1_ENERGY_GOAL))} (${ratioText(s.static!.energy)}).`);
    }
  }
  goalLines.push(`- Every headline cell with n ≥ 3 and a J/token interval within ±${pct(NOISY_HALF_WIDTH, 0)} of its median: ` +
    `${bold(headline.every((s) => s.jPerToken.n >= 3 && !s.noisy) ? "holds" : "does not hold")} (${headline.filter((s) => s.jPerToken.n >= 3 && !s.noisy).length} of ${headline.length} cells)` +
    (headline.some((s) => s.noisy || s.jPerToken.n < 3) ? `; ${headline.filter((s) => s.jPerToken.n < 3).length} have n < 3, and ${headline.filter((s) => s.noisy && s.jPerToken.n >= 3).length} with n ≥ 3 are marked too noisy under "Per cell", each with where its noise came from.` : "."));
  if (!bandwidth) goalLines.push(`- F16 batch-1 decode at ≥ ${pct(FLOOR_GOAL, 0)} of the bandwidth floor: **undecided** — not measured (no bandwidth measured on this node).`);
  for (const s of summaries.filter((x) => x.cell.engine !== "transformers" && x.cell.weights === "F16" && x.cell.batch === 1)) {
    if (!bandwidth) break;
    const f = floorShare(s.cell.rows, s.cell.weights, 1, bandwidth);
    goalLines.push(f ? `- ${s.cell.model}: ${cellLabel(s.cell)} decode at ≥ ${pct(FLOOR_GOAL, 0)} of the bandwidth floor: ${bold(f.goal)} (${pct(f.share.mean, 1)} [${pct(f.share.ci.low, 1)}, ${pct(f.share.ci.high, 1)}] of ${fmt(f.floorTokensPerS, 1)} tokens/s)`
      : `- ${s.cell.model}: ${cellLabel(s.cell)} against the floor: **undecided** — its rows hold no weight bytes or decode speed.`);
  }
  const splits = readStepSplits(dir).map((logs) => {
    const cell = cells.find((c) => c.model === logs.model && c.engine === "llama.cpp" && c.device === "cuda" && c.weights === "F16" && c.batch === 1);
    return { logs, cell, split: cell ? measuredSplit(logs, cell.rows) : null };
  });
  if (splits.length === 0) {
    // A script that has a Nsight Compute step its log never reached left it out (gpu-study's PER_STEP=0, say).
    const leftOut = [...stepsByScript].find(([, x]) => /Nsight Compute/.test(x.text) && x.log.length > 0 && !x.log.some((l) => /Nsight Compute/.test(l.label)))?.[0];
    // …or started it as the log's last entry, which no later line ended: the run stopped during that step.
    const cut = [...stepsByScript].map(([name, x]) => ({ name, step: x.log.find((l) => /Nsight Compute/.test(l.label) && l.endS === null) })).find((x) => x.step);
    goalLines.push(`- The split of a decode step's fixed cost (GPU share measured by Nsight Compute, Nsight Systems or CUDA events): **undecided** — not measured` +
      (cut ? `: \`provenance/${cut.name}\`'s Nsight Compute step started ${cut.step!.startS} s in and is the last entry of its log, so the run stopped before it stored kernel times.` : leftOut ? `: \`provenance/${leftOut}\` has a Nsight Compute step and its log has no entry for it${/^per_step: 0$/m.test(readIf(dir, "host.txt")) ? " (`host.txt`: per_step: 0, the script's PER_STEP=0)" : ""}.` : "."));
  }
  for (const { logs, cell, split } of splits) {
    if (!cell || !split) {
      goalLines.push(`- ${logs.model}: the split of a decode step (\`${logs.folder}\`): **undecided** — no llama.cpp CUDA F16 b1 rows with decode steps to set it against.`);
      continue;
    }
    const bytes = bandwidth ? bytesPerStep(cell.rows[0], "F16") : null;
    const floorS = bytes && bandwidth ? bytes / bandwidth.bytesPerS : null;
    const text = `${logs.model}: a llama.cpp CUDA F16 b1 decode step is the GPU's (its kernels ≥ ${pct(GPU_SHARE_GOAL, 0)} of the step's wall time): ${bold(split.goal)}` +
      (split.profilerBound ? ` (Nsight Compute's kernel times exceed the unprofiled step: it runs kernels one at a time and flushes the caches before each, ` +
        `its default, so they are upper bounds and the GPU's share is not resolved)` : "") + ` — ` +
      `kernels ${fmt(1000 * split.gpuPerStepS, 3)} ms per step (${fmt(split.kernelsPerStep, 0)} kernels; Nsight Compute's gpu__time_duration, ${logs.newTokens.join(" and ")} new tokens, \`${logs.folder}\`) ` +
      `of a ${fmt(1000 * split.wallPerStepS.median, 3)} ms step (median decode step, ${split.wallPerStepS.n} windows unprofiled): ` +
      `${pct(split.gpuShare.mean, 1)} [${pct(split.gpuShare.ci.low, 1)}, ${pct(split.gpuShare.ci.high, 1)}] GPU, ${fmt(1000 * (split.wallPerStepS.median - split.gpuPerStepS), 3)} ms host and gaps` +
      (floorS ? `; the weights' bytes at the measured bandwidth take ${fmt(1000 * floorS, 3)} ms of it (${pct(floorS / split.wallPerStepS.median, 1)} of the wall step)` : "") +
      "";
    goalLines.push(`- ${text}.`);
    goalShort.push(text.replace(/ \(Nsight.*| — .*/, "") + ` (profiled kernels ${fmt(1000 * split.gpuPerStepS, 2)} ms against a ${fmt(1000 * split.wallPerStepS.median, 2)} ms step${split.profilerBound ? ": upper bounds, not resolved" : ""})`);
  }
  out.push(`## Issue 21's goals against the compiled path\n\n${goalLines.join("\n")}\n`);
  if (goalShort.length) shortBullets.push(`- Against Transformers static (issue 21's goals): ${goalShort.join("; ")}.`);
  const switches = switchSection(summaries.filter((s) => isSwitch(s.cell)), headline);
  if (switches) { out.push(switches.markdown); shortBullets.push(switches.short); }

  // Bandwidth floor and serving curve, where this folder holds them.
  if (bandwidth) {
    const floorRows = summaries.filter((x) => x.cell.engine !== "transformers").map((x) => ({ x, f: floorShare(x.cell.rows, x.cell.weights, x.cell.batch, bandwidth) })).filter((y) => y.f !== null);
    out.push(`## Bandwidth floor

A decode step reads every weight once (the embedding table excepted: one row per sequence) and makes one token per
sequence, so decode tokens/s ≤ batch × bandwidth ÷ bytes per step. Bandwidth: ${fmt(bandwidth.bytesPerS / 1e12, 2)} TB/s, a device-to-device
copy on this ${bandwidth.device} in the same run (\`${bandwidth.file}\`, bytes read + written, median of its timed copies).
Bytes per step: the GGUF file (\`model_weight_bytes\`) less its embedding table (vocabulary × hidden size at the weights' bytes
per value); the header and vocabulary (a few MB) stay in.

| model | cell | bytes per step (GiB) | floor (tokens/s) | decode tokens/s share of floor [95% CI] |
|---|---|---|---|---|
${floorRows.map(({ x, f }) => `| ${x.cell.model} | ${cellLabel(x.cell)} | ${fmt(f!.bytes / 2 ** 30, 2)} | ${fmt(f!.floorTokensPerS, 1)} | ${pct(f!.share.mean, 1)} [${pct(f!.share.ci.low, 1)}, ${pct(f!.share.ci.high, 1)}] |`).join("\n")}
`);
  }
  if (serving) out.push(serving);
  const floorBullets = bandwidth ? headline.filter((x) => x.cell.engine !== "transformers" && x.cell.weights === "F16" && x.cell.batch === 1)
    .map((x) => ({ x, f: floorShare(x.cell.rows, x.cell.weights, 1, bandwidth) })).filter((y) => y.f !== null) : [];
  if (floorBullets.length) {
    shortBullets.push(`- F16 batch-1 decode against the bandwidth floor (${fmt(bandwidth!.bytesPerS / 1e12, 2)} TB/s measured in the same run): ` +
      floorBullets.map(({ x, f }) => `${x.cell.model} ${engineLabel(x.cell)} ${pct(f!.share.mean, 1)} [${pct(f!.share.ci.low, 1)}, ${pct(f!.share.ci.high, 1)}], ≥ ${pct(FLOOR_GOAL, 0)}: ${bold(f!.goal)}`).join("; ") + ".");
  }
  for (const curve of servingCurves(dir).filter((c) => c.rows.some((r) => r.state === "completed"))) {
    const done = curve.rows.filter((r) => r.state === "completed").sort((a, b) => Number(a.concurrency) - Number(b.concurrency));
    const j = (r: (typeof done)[number]) => (typeof r.gpu_j_per_output_token === "number" ? r.gpu_j_per_output_token.toFixed(2) : "–");
    shortBullets.push(`- Serving (\`${curve.file}\`, closed loop, steady-state windows): GPU J/output token ${done.map((r) => `${j(r)} at concurrency ${r.concurrency}`).join(", ")}; ` +
      `output tokens/s ${done.map((r) => fmt(Number(r.output_tokens_per_s), 0)).join(" → ")}; TTFT p99 ${done.map((r) => `${fmt(1000 * Number(r.ttft_p99_s), 0)} ms`).join(" → ")}` +
      `${curve.missing.length ? `; not measured: concurrency ${curve.missing.join(", ")}` : ""}.`);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The study's findings.
  const findingRows: string[] = [];
  /** The measured effects, for the reading under the table. */
  const batchEffects: { who: string; f: Finding; size: Verdict | "not measured"; implied: number }[] = [], int4Effects: { who: string; f: Finding }[] = [], int8Effects: { who: string; f: Finding }[] = [];
  const fv = (x: number | null, kind: "change" | "ratio") => (x === null ? "n/a" : kind === "ratio" ? `×${x.toFixed(2)}` : `${(100 * x).toFixed(1)}%`);
  const findingLine = (scope: string, f: Finding, size: Verdict | "not measured", paperText: string) =>
    `| ${scope} | ${f.compared.replace(/ \(.*\)$/, "")} | ${paperText} | ${fv(f.measured, f.kind)}${f.ci ? ` [${fv(f.ci.low, f.kind)}, ${fv(f.ci.high, f.kind)}]` : ""} | ${f.n.join(" / ")} | ${f.verdict} | ${size} |`;
  for (const m of models) {
    const engines = [...new Set(cells.filter((c) => c.model === m && !isSwitch(c)).map((c) => engineLabel(c)))];
    for (const e of engines) {
      // inferBase() reads a dimension that is null in every row (the Transformers rows' dataset) as "", which no row
      // equals: such rows get the prompts they had by name (random token ids) so that the comparison finds them
      const rows = cells.filter((c) => c.model === m && engineLabel(c) === e).flatMap((c) => c.rows)
        .map((r) => (r.dataset === null || r.dataset === undefined ? { ...r, dataset: "random-token-ids" } : r));
      for (const q of [...new Set(rows.map((r) => String(r.quantization)))].sort()) {
        const sub = rows.filter((r) => String(r.quantization) === q);
        for (const f of seedFindings(sub, { scope: "gpu" }).filter((x) => x.compared.startsWith("batch_size"))) {
          // the study's figure is per doubling (1→2, 2→4); over b_a → b_b it compounds: (1 + paper)^log2(b_b/b_a) − 1
          const [a, b] = /batch_size (\d+) → (\d+)/.exec(f.compared)!.slice(1).map(Number);
          const doublings = Math.log2(b / a);
          const implied = (1 + f.paper) ** doublings - 1;
          const size = f.ci ? withinVerdict(f.ci, implied - Math.abs(implied) / 2, implied + Math.abs(implied) / 2) : "not measured";
          const weights = cells.find((c) => c.model === m && engineLabel(c) === e && c.quantization === q)?.weights ?? q;
          batchEffects.push({ who: `${m} ${e} ${weights}`, f, size, implied });
          findingRows.push(findingLine(`${m}, ${e} ${weights}`, f, size,
            doublings === 1 ? fv(f.paper, "change") : `${fv(implied, "change")} (${fv(f.paper, "change")} per doubling, ${fmt(doublings, 0)} doublings)`));
        }
      }
      for (const b of [...new Set(rows.map((r) => Number(r.batch_size)))].sort((x, y) => x - y)) {
        const sub = rows.filter((r) => Number(r.batch_size) === b);
        for (const f of seedFindings(sub, { scope: "gpu" }).filter((x) => x.compared.startsWith("quantization"))) {
          (f.compared.includes("int8") ? int8Effects : int4Effects).push({ who: `${m} ${e} batch ${b}`, f });
          findingRows.push(findingLine(`${m}, ${e} batch ${b}`, f, f.size, fv(f.paper, "ratio")));
        }
      }
    }
  }
  out.push(`## The study's findings, as these cells can address them

Computed by \`seedFindings()\` (\`src/analysis/findings.ts\`, the function the notebooks use) from each engine's rows, GPU joules
only. A measured effect is a ratio of the two levels' means with its 95% interval (a change is that ratio − 1).
**direction**: the effect goes the study's way (holds / does not hold / undecided when the interval straddles no
change); **size**: the interval also lies within half the study's effect of it. The study found each batch doubling
(1→2, 2→4) cuts J/token by about 45%; only batch 1 and 4 were measured here, so the batch rows are judged against the
compounded figure for 1→4. int8 and int4 (bitsandbytes) used about 1.4× and 2× fp16's energy in the study; here they are llama.cpp's Q8_0
and Q4_0, and onnxruntime's 8- and 4-bit MatMulNBits.

| engine and weights | compared | study | measured [95% CI] | n | direction | size |
|---|---|---|---|---|---|---|
${findingRows.join("\n")}

Reading: ${batchEffects.length ? `from batch 1 to 4, J/token changes by ${fmt(Math.min(...batchEffects.map((x) => 100 * (x.f.measured ?? NaN))), 1)}% to ${fmt(Math.max(...batchEffects.map((x) => 100 * (x.f.measured ?? NaN))), 1)}% across ${batchEffects.length} engine and weight pairs
(direction: ${tally(batchEffects.map((x) => (x.f.verdict === "not measured" ? "undecided" : x.f.verdict)))}; size within half the compounded study figure: ${tally(batchEffects.map((x) => (x.size === "not measured" ? "undecided" : x.size)))})` : "no batch comparison"}.
${[{ name: "int8", effects: int8Effects }, { name: "int4", effects: int4Effects }].filter((x) => x.effects.length).map(({ name, effects }) =>
    `${name} over fp16 J/token: ×${range(effects.map((x) => x.f.measured ?? NaN))} across ${effects.length} engine and batch pairs, against the study's ×${fmt(effects[0].f.paper, 1)} ` +
    `(direction, ${name} costing more: ${tally(effects.map((x) => (x.f.verdict === "not measured" ? "undecided" : x.f.verdict)))})` +
    `${effects.every((x) => x.f.ci && x.f.ci.high < 1) ? `: ${name} uses less energy per token than fp16 in every pair, the opposite of the study's bitsandbytes penalty` : ""}.`).join("\n") || "No int8/int4 and fp16 pair was measured here."}
`);

  if (batchEffects.length) {
    const ms = batchEffects.map((x) => 100 * (x.f.measured ?? NaN));
    shortBullets.push(`- Batch 1 → 4 cuts GPU J/token by ${fmt(-Math.max(...ms), 1)}–${fmt(-Math.min(...ms), 1)}% (${batchEffects.length} engine and weight pairs; the study's ` +
      `${fmt(-100 * batchEffects[0].f.paper, 0)}% per doubling compounds to ${fmt(-100 * batchEffects[0].implied, 1)}% over 1 → 4).` +
      (int4Effects.length ? ` int4 (Q4_0 in llama.cpp, 4-bit MatMulNBits in onnxruntime) uses ×${range(int4Effects.map((x) => x.f.measured ?? NaN))} of fp16's J/token, against the study's ×${fmt(int4Effects[0].f.paper, 1)}.` : "") +
      (int8Effects.length ? ` int8 uses ×${range(int8Effects.map((x) => x.f.measured ?? NaN))}, against the study's ×${fmt(int8Effects[0].f.paper, 1)}.` : ""));
  }
  out[shortAt] = `## In short\n\n${shortBullets.join("\n")}\n`;

  // ---------------------------------------------------------------------------------------------------------
  // Prefill: llama.cpp's repeated-prefill window against Transformers' prefill-only windows.
  const prefillCell = (c: Cell) => {
    const vals = c.rows.map((r) => (c.engine === "transformers"
      ? jPerInputToken(rowQuantity(r, "energy_j", "gpu").value, Number(r.tokens_in))
      : rowQuantity(r, "j_per_input_token", "gpu").value)).filter((v): v is number => v !== null);
    const ms = c.rows.map((r) => 1000 * Number(c.engine === "transformers" ? r.latency_total_s : r.latency_prefill_s)).filter(Number.isFinite);
    return { c, j: aggregate(vals), ms: aggregate(ms), vals };
  };
  const pre = prefillCells.filter((c) => c.engine !== "transformers" || c.output === 1).map(prefillCell);
  if (pre.some((p) => p.c.engine === "transformers")) {
    const staticPre = (p: typeof pre[number]) => pre.find((q) => q.c.engine === "transformers" && q.c.variant === "static" && q.c.model === p.c.model && q.c.batch === p.c.batch && q.c.input === p.c.input);
    out.push(`## Prefill

GPU J per input token (\`j_per_input_token\`: ${QUANTITIES.j_per_input_token.meaning}). llama.cpp: each row's repeated-prefill
window (prefill passes back to back for ≥ 2 s); Transformers: the \`*-prefill\` windows, \`generate(max_new_tokens=1)\` passes
back to back (prefill plus one sampled token), a pass's GPU energy over its prompt tokens. Prefill time: llama.cpp's
prefill of the measured generation; Transformers' whole one-token pass.

| model | engine | weights | batch | n | prefill ms, mean [95% CI] | GPU J/input token [95% CI] | × Transformers static [95% CI] |
|---|---|---|---|---|---|---|---|
${pre.map((p) => {
      const s = staticPre(p);
      return `| ${p.c.model} | ${engineLabel(p.c)} | ${p.c.weights} | ${p.c.batch} | ${p.j.n} | ${withCi(p.ms, 1)} | ${withCi(p.j, 4)} | ${s && s !== p ? ratioText(ratioOfMeans(s.vals, p.vals)) : s === p ? "(baseline)" : "–"} |`;
    }).join("\n")}
`);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Commands.
  const cmdBlocks = scripts.map((s) => {
    const { steps: all, log, text } = stepsByScript.get(s)!;
    const bundle = /wattlab bundle [^`)]*/.exec(text)?.[0]?.trim();
    // With a step log, the steps it records ran; the others are the script's, left out of this run (a switch, a model not given).
    const ran = log.length === 0 ? all : all.filter((st) => log.some((l) => l.label === st.label));
    const skipped = all.filter((st) => !ran.includes(st));
    return `\`provenance/${s}\`${bundle ? ` (run from a folder made by \`${bundle}\`)` : ""}:

\`\`\`bash
${ran.map((st) => `# ${st.label}\n${st.command.replace(/\$R\//g, "out/")}`).join("\n")}
\`\`\`${skipped.length ? `

In the script but not in its log, so not run here: ${skipped.map((st) => `"${st.label}"`).join(", ")}.` : ""}`;
  });
  out.push(`## Commands that produced these files

The scripts in \`provenance/\` hold every step (unpacking, environment, time limits); the measured steps, with \`$R/\` shown
as \`out/\` (each \`out/X\` is \`X\` under the model's folder here):

${cmdBlocks.join("\n\n")}

This report: \`node dist/bench/h100-report.js ${shownDir}\` (after \`npm run build\`).
`);

  // ---------------------------------------------------------------------------------------------------------
  const csvRows = summaries.map((s) => {
    const c = s.cell;
    const vs = (v: Versus | null, p: string) => ({
      [`${p}_speed_ratio`]: v?.speed.ratio, [`${p}_speed_ratio_ci_low`]: v?.speed.ci.low, [`${p}_speed_ratio_ci_high`]: v?.speed.ci.high,
      [`${p}_j_ratio`]: v?.energy.ratio, [`${p}_j_ratio_ci_low`]: v?.energy.ci.low, [`${p}_j_ratio_ci_high`]: v?.energy.ci.high,
      [`${p}_j_at_most_third`]: v?.energyGoal, [`${p}_speed_at_least_3x`]: v?.speedGoal,
    });
    return {
      model: c.model, engine: c.engine, device: c.device, variant: c.variant, weights: c.weights, quantization: c.quantization,
      batch_size: c.batch, input_length: c.input, output_length: c.output, n: s.jPerToken.n, n_below_resolution: c.belowResolution,
      tokens_per_s_mean: s.tokensPerS.mean, tokens_per_s_ci_low: s.tokensPerS.ci.low, tokens_per_s_ci_high: s.tokensPerS.ci.high,
      gpu_j_per_output_token_mean: s.jPerToken.mean, gpu_j_per_output_token_ci_low: s.jPerToken.ci.low, gpu_j_per_output_token_ci_high: s.jPerToken.ci.high,
      gpu_j_per_output_token_median: s.jPerToken.median, gpu_j_per_output_token_spread: s.spread, gpu_j_per_output_token_ci_half_width_over_median: s.halfWidth,
      too_noisy: s.noisy, tokens_per_s_spread: s.speedSpread, too_noisy_reason: s.noisy ? noisyReason(s) : null, ...vs(s.static, "vs_static"), ...vs(s.default, "vs_default"), stores: c.stores.join(" "),
    };
  });
  const csvColumns = Object.keys(csvRows[0] ?? {});
  return {
    markdown: out.join("\n"), csv: toCsv(csvRows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? null : v]))), csvColumns),
    summaries, protocol, peaks: { lines: peakLines, limitW, gpuLimitW, cpuTdpW, above, aboveGpu },
    short: shortBullets, title: out[0].split("\n")[0].replace(/^# /, ""), shownDir,
  };
}

/** The README's summary of a report: written between `<!-- report:DIR -->` and `<!-- /report:DIR -->` by --readme. */
export function readmeBlock(report: H100Report): string {
  return `<!-- report:${report.shownDir} -->
\`${report.shownDir}/REPORT.md\` — ${report.title}. Regenerated from the folder's raw rows by
\`node dist/bench/h100-report.js ${report.shownDir} --readme README.md\`, which also writes this summary; in short:

${report.short.join("\n")}
<!-- /report:${report.shownDir} -->`;
}

/** `text` with its block for the report replaced (or an error naming the markers to add). */
export function withReadmeBlock(text: string, report: H100Report): string {
  const begin = `<!-- report:${report.shownDir} -->`, end = `<!-- /report:${report.shownDir} -->`;
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`h100-report: the README has no ${begin} … ${end} block; add the two lines where the summary belongs`);
  return text.slice(0, a) + readmeBlock(report) + text.slice(b + end.length);
}

const USAGE = "usage: node dist/bench/h100-report.js [DIR] [--out OUTDIR] [--readme README.md]   (DIR: default results/h100-2026-12; OUTDIR: default DIR; --readme: rewrite the README's summary block of DIR)";

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({ options: { out: { type: "string" }, readme: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`h100-report: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.values.help) { console.log(USAGE); return; }
  const dir = resolve(parsed.positionals[0] ?? join(packageRoot(), "results", "h100-2026-12"));
  const outDir = resolve(parsed.values.out ?? dir);
  let report: H100Report;
  try {
    report = buildH100Report(dir);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "REPORT.md"), report.markdown.trimEnd() + "\n");
  writeFileSync(join(outDir, "cells.csv"), report.csv);
  console.log(`wrote ${join(outDir, "REPORT.md")} and ${basename(join(outDir, "cells.csv"))} (${report.summaries.length} cells, ${report.protocol.length} protocol check${report.protocol.length === 1 ? "" : "s"})`);
  if (parsed.values.readme) {
    writeFileSync(parsed.values.readme, withReadmeBlock(readFileSync(parsed.values.readme, "utf8"), report));
    console.log(`wrote the summary block of ${report.shownDir} into ${parsed.values.readme}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
