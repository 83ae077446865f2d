// A typed sweep spec checked before anything runs: every problem at once (each with its field, value, reason and fix),
// including each expanded configuration against its model's context length.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PRESETS } from "../models/presets.js";
import { FLASH_ATTENTION } from "../engine/types.js";
import { ALLOWED, DIMENSIONS, ENGINE_DEVICES, NAMED_LENGTHS, getDimension, isLengthDimension, type Dimension } from "./dimensions.js";
import { expandConfigs } from "./expand.js";
import { PREFILL_ENERGY_MODES } from "./prefill-energy.js";
import type { SweepSpec } from "./spec.js";

export interface SpecProblem {
  /** The dimension or field at fault, e.g. "batch_size", "repetitions". */
  field: string;
  value: unknown;
  reason: string;
  fix: string;
}

/** Every problem of a spec at once, so a user fixes them in one go. */
export class SweepSpecError extends Error {
  override name = "SweepSpecError";
  constructor(readonly specName: string, readonly problems: SpecProblem[]) {
    super(`sweep spec "${specName}" has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
      problems.map((p) => `  - ${p.field}=${formatValue(p.value)}: ${p.reason}. Fix: ${p.fix}`).join("\n"));
  }
}

function formatValue(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
}

/** Context length (max total tokens) of a model name, or undefined when unknown (then not checked). */
export type ContextLengthLookup = (model: string) => number | undefined;

/** Presets from src/models/presets.ts, or a model folder's config.json `max_position_embeddings`. */
export const defaultContextLength: ContextLengthLookup = (model) => {
  const preset = PRESETS[model];
  if (preset) return preset.max_position_embeddings;
  try {
    const file = join(model, "config.json");
    if (existsSync(file) && statSync(file).isFile()) {
      const n = JSON.parse(readFileSync(file, "utf8")).max_position_embeddings;
      return typeof n === "number" ? n : undefined;
    }
  } catch { /* unreadable config: context unknown, checked again by the engine at run time */ }
  return undefined;
};

/** Problems of a typed spec; the context check runs on every expanded configuration. */
export function specProblems(spec: SweepSpec, contextLength: ContextLengthLookup = defaultContextLength): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  const add = (p: SpecProblem) => {
    const id = `${p.field}|${formatValue(p.value)}|${p.reason}`;
    if (!seen.has(id)) { seen.add(id); problems.push(p); }
  };
  for (const d of DIMENSIONS) {
    const values = [getDimension(spec.base, d), ...((spec.dimensions[d] as (string | number)[] | undefined) ?? [])];
    for (const v of values) for (const p of valueProblems(d, v)) add(p);
  }
  const counts: [string, number, number][] = [["repetitions", spec.repetitions, 1], ["warmup_runs", spec.warmupRuns, 0]];
  for (const [field, n, min] of counts) {
    if (!Number.isInteger(n) || n < min) add({ field, value: n, reason: `must be an integer ≥ ${min}`, fix: `set ${field} to ${min === 1 ? "e.g. 3" : "0 or more"}` });
  }
  if (spec.mode !== "one-at-a-time" && spec.mode !== "grid") {
    add({ field: "mode", value: spec.mode, reason: "unknown mode", fix: 'use "one-at-a-time" or "grid"' });
  }
  if (spec.flashAttention !== undefined && !FLASH_ATTENTION.includes(spec.flashAttention)) {
    add({ field: "flash_attention", value: spec.flashAttention, reason: "not a flash-attention setting", fix: `use one of: ${FLASH_ATTENTION.join(", ")}` });
  }
  if (spec.threads !== undefined && !(Number.isInteger(spec.threads) && spec.threads >= 1)) {
    add({ field: "threads", value: spec.threads, reason: "must be a whole number ≥ 1", fix: "set e.g. 4, or leave it out for each engine's own default" });
  }
  if (spec.prefillEnergy !== undefined && !PREFILL_ENERGY_MODES.includes(spec.prefillEnergy)) {
    add({ field: "prefill_energy", value: spec.prefillEnergy, reason: "unknown measurement mode", fix: `use one of: ${PREFILL_ENERGY_MODES.join(", ")}` });
  }
  if (spec.prefillMinS !== undefined && !(typeof spec.prefillMinS === "number" && spec.prefillMinS >= 0 && Number.isFinite(spec.prefillMinS))) {
    add({ field: "prefill_min_s", value: spec.prefillMinS, reason: "must be a number of seconds ≥ 0", fix: "set e.g. 1 (GPU counters tick every 100 ms) or 0.2 for quick CPU sweeps" });
  }
  if (spec.minWindowS !== undefined && !(typeof spec.minWindowS === "number" && spec.minWindowS >= 0 && Number.isFinite(spec.minWindowS))) {
    add({ field: "min_window_s", value: spec.minWindowS, reason: "must be a number of seconds ≥ 0", fix: "set e.g. 2 (20 updates of a GPU counter that moves every 100 ms)" });
  }
  if (spec.minWindowUpdates !== undefined && !(Number.isInteger(spec.minWindowUpdates) && spec.minWindowUpdates >= 0)) {
    add({ field: "min_window_updates", value: spec.minWindowUpdates, reason: "must be a whole number ≥ 0", fix: "set e.g. 20 (0: min_window_s alone decides)" });
  }
  if (spec.minGenerations !== undefined && !(Number.isInteger(spec.minGenerations) && spec.minGenerations >= 1)) {
    add({ field: "min_generations", value: spec.minGenerations, reason: "must be a whole number ≥ 1", fix: "set e.g. 3" });
  }
  if (spec.cooldown) {
    const { maxS, toleranceRatio, windowS } = spec.cooldown;
    if (!(maxS >= 0)) add({ field: "cooldown.max_s", value: maxS, reason: "must be ≥ 0 seconds", fix: "set e.g. 30" });
    if (!(toleranceRatio >= 0)) add({ field: "cooldown.tolerance", value: toleranceRatio, reason: "must be ≥ 0", fix: "set e.g. 0.05 (within 5% of idle)" });
    if (!(windowS > 0)) add({ field: "cooldown.window_s", value: windowS, reason: "must be > 0 seconds", fix: "set e.g. 1" });
  }
  if (problems.length === 0) {
    for (const c of expandConfigs(spec)) {
      if (!ENGINE_DEVICES[c.engine].includes(c.device)) {
        add({ field: "engine+device", value: `${c.engine}+${c.device}`, reason: `${c.engine} does not run on ${c.device}`,
          fix: `pair ${c.engine} with one of ${ENGINE_DEVICES[c.engine].join(", ")}` });
      }
      const context = contextLength(c.model);
      if (context !== undefined && c.inputLength + c.outputLength > context) {
        add({
          field: "input_length+output_length", value: `${c.inputLength}+${c.outputLength}`,
          reason: `${c.inputLength + c.outputLength} tokens exceed ${c.model}'s context length of ${context}`,
          fix: `lower input_length or output_length so their sum is ≤ ${context}, or use a model with a longer context`,
        });
      }
    }
  }
  return problems;
}

function valueProblems(d: Dimension, v: unknown): SpecProblem[] {
  const allowed = ALLOWED[d];
  if (allowed) {
    return allowed.includes(v as string) ? [] : [{
      field: d, value: v, reason: `unknown ${d}`, fix: `use one of: ${allowed.join(", ")}`,
    }];
  }
  if (d === "model") {
    return typeof v === "string" && v.trim() !== "" ? [] : [{
      field: d, value: v, reason: "a model is a preset name or a model folder",
      fix: `use a preset (${Object.keys(PRESETS).join(", ")}) or a path`,
    }];
  }
  if (typeof v !== "number" || !Number.isInteger(v)) {
    const named = isLengthDimension(d) ? ` or a name (${Object.entries(NAMED_LENGTHS).map(([k, n]) => `${k}=${n}`).join(", ")})` : "";
    return [{ field: d, value: v, reason: `${d} must be a whole number of ${d === "batch_size" ? "prompts" : "tokens"}`, fix: `use a positive integer${named}` }];
  }
  if (v <= 0) {
    return [{ field: d, value: v, reason: `${d} must be positive`, fix: d === "batch_size" ? "use 1 or more prompts per batch, e.g. 1, 2, 4" : "use 1 or more tokens, e.g. 128" }];
  }
  return [];
}

/** Throws one SweepSpecError listing every problem; returns the spec otherwise. */
export function validateSpec(spec: SweepSpec, contextLength: ContextLengthLookup = defaultContextLength): SweepSpec {
  const problems = specProblems(spec, contextLength);
  if (problems.length) throw new SweepSpecError(spec.name, problems);
  return spec;
}
