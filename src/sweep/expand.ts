// A spec expanded: its distinct configurations in canonical order, each run's key, and the runs grouped by engine
// (each model loads once), repetition-major inside a group, shuffled per block with a shuffle seed.
import { SeededRandom } from "../util/rng.js";
import { DIMENSIONS, configColumns, getDimension, withDimension, type RunConfig } from "./dimensions.js";
import { backendEnvironment } from "./cluster.js";
import { stableHash } from "./hash.js";
import type { SweepSpec } from "./spec.js";

function configId(c: RunConfig): string {
  return JSON.stringify(configColumns(c));
}

/** Distinct configurations in canonical order (the base first in one-at-a-time mode, once). */
export function expandConfigs(spec: SweepSpec): RunConfig[] {
  const out: RunConfig[] = [];
  const seen = new Set<string>();
  const push = (c: RunConfig) => { const id = configId(c); if (!seen.has(id)) { seen.add(id); out.push(c); } };
  if (spec.mode === "grid") {
    let configs: RunConfig[] = [spec.base];
    for (const d of DIMENSIONS) {
      const values = (spec.dimensions[d] as (string | number)[] | undefined) ?? [getDimension(spec.base, d)];
      configs = configs.flatMap((c) => values.map((v) => withDimension(c, d, v)));
    }
    configs.forEach(push);
  } else {
    push(spec.base);
    for (const d of DIMENSIONS) {
      for (const v of (spec.dimensions[d] as (string | number)[] | undefined) ?? []) push(withDimension(spec.base, d, v));
    }
  }
  return out;
}

/** Runs sharing an engine group reuse one loaded engine. */
export function engineGroup(c: RunConfig): string {
  return `${c.model}|${c.quantization}|${c.device}|${c.engine}`;
}

/**
 * The identity of a run: configuration, repetition, what changes the prompts or output (seed, fixed
 * length, chat template), llama.cpp's flash attention when set on or off and its environment switches when any is set,
 * and the CPU threads when set. The spec's name is not part
 * of it, so a bigger spec over the same results folder skips what a smaller one already measured.
 */
export function runKey(config: RunConfig, repetition: number, spec: Pick<SweepSpec, "seed" | "fixedLength" | "chatTemplate" | "flashAttention" | "threads" | "backendEnv">): string {
  // only when set against the default, so earlier stores keep their keys
  const flash = config.engine === "llama.cpp" && spec.flashAttention && spec.flashAttention !== "auto" ? { flash_attention: spec.flashAttention } : {};
  const threads = spec.threads !== undefined ? { threads: spec.threads } : {};
  const env = config.engine === "llama.cpp" && spec.backendEnv ? { backend_env: spec.backendEnv } : {};
  return stableHash({ ...configColumns(config), repetition, seed: spec.seed, fixed_length: spec.fixedLength, chat_template: spec.chatTemplate, ...flash, ...threads, ...env });
}

/** The spec as the runs will see it: llama.cpp's switches in `env` join it (and so its runs' keys). */
export function withBackendEnv(spec: SweepSpec, env: NodeJS.ProcessEnv): SweepSpec {
  const set = backendEnvironment(env);
  return set ? { ...spec, backendEnv: set } : spec;
}

export interface PlannedRun {
  key: string;
  config: RunConfig;
  /** 0-based. */
  repetition: number;
  group: string;
}

/**
 * Every run, grouped by engine group (first-appearance order) so each model loads once; inside a group,
 * repetition-major (all configurations of repetition 0, then 1, …) so drift spreads over configurations;
 * with a shuffle seed, each (group, repetition) block is permuted reproducibly.
 */
export function expandRuns(spec: SweepSpec): PlannedRun[] {
  const groups = new Map<string, RunConfig[]>();
  for (const c of expandConfigs(spec)) {
    const g = engineGroup(c);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(c);
  }
  const runs: PlannedRun[] = [];
  for (const [group, configs] of groups) {
    for (let repetition = 0; repetition < spec.repetitions; repetition++) {
      const block = spec.shuffleSeed === null ? configs : shuffled(configs, new SeededRandom(spec.shuffleSeed, `${group}#${repetition}`));
      for (const config of block) runs.push({ key: runKey(config, repetition, spec), config, repetition, group });
    }
  }
  return runs;
}

function shuffled<T>(items: T[], rng: SeededRandom): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
