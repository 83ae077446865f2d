// `wattlab sweep` and `wattlab merge` options, declared once; the CLI commands only wire real parts to them.
import { get, UsageError, type OptionSpec, type ParsedArgs } from "./args.js";
import { FLASH_ATTENTION } from "../engine/types.js";
import { BUILTIN_SPECS, builtinSpec } from "../sweep/builtin-specs.js";
import { DIMENSIONS, getDimension, type Dimension } from "../sweep/dimensions.js";
import type { RunSweepOptions } from "../sweep/run.js";
import { parseShard } from "../sweep/shard.js";
import {
  DEFAULT_BASE, DEFAULT_REPETITIONS, DEFAULT_SEED, DEFAULT_WARMUP_RUNS, loadSpecFile, normalizeValue, parseSpec, specToJson,
  type ContextLengthLookup, type SweepSpec, type SweepSpecJson,
} from "../sweep/spec.js";

const flag = (d: Dimension) => d.replace(/_/g, "-");

/** --threads as sweep, generate and serve declare it: both engines take it. */
export const THREADS_HELP = "CPU threads the engine evaluates with: onnxruntime's intra-op threads, llama.cpp's threads (default: each engine's own choice; llama.cpp: the math cores)";

export const SWEEP_OPTIONS: OptionSpec[] = [
  { name: "spec", kind: "string", help: "sweep spec JSON file (fields: base, dimensions, mode, repetitions, …)" },
  { name: "preset", kind: "string", help: `built-in sweep: ${Object.keys(BUILTIN_SPECS).join(", ")}` },
  { name: "mode", kind: "string", help: "one-at-a-time (vary each dimension from the base) or grid (every combination)" },
  ...DIMENSIONS.map((d): OptionSpec => ({
    name: flag(d), kind: "list",
    help: `${d} values, comma-separated${d.endsWith("length") ? " (short=128, medium=512, long=1024 or numbers)" : ""}; one value sets the base`,
  })),
  { name: "set", kind: "list", repeatOnly: true, help: "base value, e.g. --set device=cuda (repeatable)" },
  { name: "reps", kind: "number", help: `recorded repetitions per configuration (default ${DEFAULT_REPETITIONS})` },
  { name: "warmup", kind: "number", help: `unrecorded warm-up generations per request shape (batch, input, output length) of each engine group (default ${DEFAULT_WARMUP_RUNS})` },
  { name: "cooldown", kind: "number", help: "wait up to this many seconds between runs for idle power and a settled GPU temperature (0: off)" },
  { name: "measurement", kind: "string", help: "repeated (default: each run is windows of back-to-back generations and prefills, long enough for the energy counter) or window (one generation's own sub-second windows)" },
  { name: "min-window-s", kind: "number", help: "a repeated window lasts at least this long, or --min-window-updates counter updates if sooner (default 2). Units: s" },
  { name: "min-window-updates", kind: "number", help: "energy-counter updates that also make a window long enough (default 20; 0: --min-window-s alone)" },
  { name: "min-generations", kind: "number", help: "generations (or prefills) each repeated window holds at least (default 3)" },
  { name: "shuffle", kind: "number", help: "shuffle run order within each engine group with this seed" },
  { name: "seed", kind: "number", help: `prompt selection seed (default ${DEFAULT_SEED})` },
  { name: "fixed-length", kind: "boolean", help: "ignore EOS so every row makes exactly output_length tokens (--no-fixed-length to stop at EOS)" },
  { name: "flash-attention", kind: "string", help: "llama.cpp runs: flash attention auto (node-llama-cpp's default: on where the backend supports it), on or off; recorded as flash_attention", choices: FLASH_ATTENTION },
  { name: "chat-template", kind: "boolean", help: "wrap prompts in the tokenizer's chat template" },
  { name: "dataset-fallback", kind: "boolean", help: "when alpaca/gsm8k files are missing, measure their synthetic look-alikes (default: on for --preset, off for --spec files and an explicit --dataset)" },
  { name: "out", kind: "string", help: "results folder (default results/<sweep name>)" },
  { name: "shard", kind: "string", help: "run only shard i of n (0-based), e.g. 0/4; writes metrics.shard-i-of-n.jsonl" },
  { name: "gpus", kind: "list", help: "one worker per GPU on this host, e.g. 0,1,2,3; shards and merges" },
  { name: "force", kind: "boolean", help: "redo runs already completed" },
  { name: "plan", kind: "boolean", help: "show the plan and exit: each configuration's repetitions already stored and still to measure, the datasets' prompts, the protocol; loads, measures and writes nothing" },
  { name: "skip-failed", kind: "boolean", help: "do not retry runs that failed before" },
  { name: "idle-seconds", kind: "number", min: 0, help: "idle baseline length before the first run (0: none)", default: 5 },
  { name: "threads", kind: "number", whole: true, min: 1, help: `${THREADS_HELP}; recorded as cpu_threads and part of each run's key (a spec's threads)` },
  { name: "progress", kind: "boolean", help: "progress on stderr (--no-progress to silence)", default: true },
  { name: "yes", kind: "boolean", help: "go ahead with 7B-class presets as fp32 on the CPU (a ~27 GB build, seconds per token)" },
];

export const MERGE_OPTIONS: OptionSpec[] = [
  { name: "out", kind: "string", help: "merged JSONL (a CSV is written beside it)", default: "metrics.jsonl" },
  { name: "expect-keys", kind: "string", help: "a file of the plan's run keys, one a line (wattlab slurm writes plan-keys.txt): list those without a completed row, exit 1 if any" },
];

/** The spec the flags describe: --spec or --preset (or the defaults), then dimension flags and overrides. */
export function specFromArgs(parsed: ParsedArgs, options: { contextLength?: ContextLengthLookup } = {}): SweepSpec {
  const file = get.string(parsed, "spec");
  const preset = get.string(parsed, "preset");
  if (file && preset) throw new UsageError("wattlab sweep: give --spec FILE or --preset NAME, not both");
  const start: SweepSpec = file ? loadSpecFile(file, { builtins: { ...BUILTIN_SPECS } }) : preset ? builtinSpec(preset) : {
    name: "custom", mode: "one-at-a-time", base: DEFAULT_BASE, dimensions: {}, repetitions: DEFAULT_REPETITIONS,
    warmupRuns: DEFAULT_WARMUP_RUNS, cooldown: null, shuffleSeed: null, seed: DEFAULT_SEED, fixedLength: true, chatTemplate: false,
  };
  const json = specToJson(start) as SweepSpecJson & { base: Record<string, string | number>; dimensions: Record<string, (string | number)[]> };
  for (const entry of get.list(parsed, "set")) {
    const eq = entry.indexOf("=");
    if (eq < 1) throw new UsageError(`wattlab sweep: --set "${entry}" must be dimension=value, e.g. --set device=cuda`);
    json.base[entry.slice(0, eq).trim().replace(/-/g, "_")] = entry.slice(eq + 1).trim();
  }
  for (const d of DIMENSIONS) {
    const values = get.list(parsed, flag(d));
    if (values.length === 0) continue;
    const normalized = values.map((v) => normalizeValue(d, v) as string | number);
    if (normalized.length === 1) {
      json.base[d] = normalized[0];
      delete json.dimensions[d];
    } else {
      json.dimensions[d] = normalized;
      if (!normalized.includes(json.base[d] ?? getDimension(start.base, d))) json.base[d] = normalized[0];
    }
  }
  const mode = get.string(parsed, "mode");
  if (mode) json.mode = mode as SweepSpecJson["mode"];
  const reps = get.number(parsed, "reps");
  if (reps !== undefined) json.repetitions = reps;
  const warmup = get.number(parsed, "warmup");
  if (warmup !== undefined) json.warmup_runs = warmup;
  const measurement = get.string(parsed, "measurement");
  if (measurement !== undefined) json.prefill_energy = measurement as SweepSpecJson["prefill_energy"];
  const minWindowS = get.number(parsed, "min-window-s");
  if (minWindowS !== undefined) json.min_window_s = minWindowS;
  const minWindowUpdates = get.number(parsed, "min-window-updates");
  if (minWindowUpdates !== undefined) json.min_window_updates = minWindowUpdates;
  const minGenerations = get.number(parsed, "min-generations");
  if (minGenerations !== undefined) json.min_generations = minGenerations;
  const cooldown = get.number(parsed, "cooldown");
  if (cooldown !== undefined) json.cooldown = cooldown;
  const shuffle = get.number(parsed, "shuffle");
  if (shuffle !== undefined) json.shuffle_seed = shuffle;
  const seed = get.number(parsed, "seed");
  if (seed !== undefined) json.seed = seed;
  if (parsed.options["fixed-length"] !== undefined) json.fixed_length = parsed.options["fixed-length"] === true;
  if (parsed.options["chat-template"] !== undefined) json.chat_template = parsed.options["chat-template"] === true;
  const flash = get.string(parsed, "flash-attention");
  if (flash !== undefined) json.flash_attention = flash as SweepSpecJson["flash_attention"];
  const threads = get.number(parsed, "threads");
  if (threads !== undefined) json.threads = threads;
  // A dataset named on the command line is what the user wants measured: missing files fail its runs.
  const datasetNamed = get.list(parsed, "dataset").length > 0 || get.list(parsed, "set").some((e) => /^\s*dataset\s*=/.test(e));
  if (datasetNamed) json.dataset_fallback = false;
  if (parsed.options["dataset-fallback"] !== undefined) json.dataset_fallback = parsed.options["dataset-fallback"] === true;
  return parseSpec(json, { contextLength: options.contextLength });
}

/** Run options from the flags; the results folder defaults to results/<spec name>. */
export function runOptionsFromArgs(parsed: ParsedArgs, spec: SweepSpec): RunSweepOptions {
  const shard = get.string(parsed, "shard");
  return {
    outDir: get.string(parsed, "out") ?? `results/${spec.name}`,
    shard: shard ? parseShard(shard) : undefined,
    force: get.boolean(parsed, "force"),
    skipFailed: get.boolean(parsed, "skip-failed"),
    idleSeconds: get.number(parsed, "idle-seconds"),
    progress: parsed.options.progress !== false,
  };
}

/** --gpus 0,1,2 → [0, 1, 2]; empty when not given. */
export function gpusFromArgs(parsed: ParsedArgs): number[] {
  return get.list(parsed, "gpus").map((g) => {
    const n = Number(g);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`wattlab sweep: --gpus "${g}" is not a GPU index; write e.g. --gpus 0,1`);
    return n;
  });
}
