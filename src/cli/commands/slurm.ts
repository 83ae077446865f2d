// wattlab slurm: a sweep as a Slurm job array of shards plus a dependent merge (src/lab/slurm.ts writes the scripts).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARRAY_SCRIPT, MERGE_SCRIPT, PLAN_KEYS, shellQuote, SlurmOptionsError, slurmScripts, submitSlurm, type SlurmResources } from "../../lab/slurm.js";
import { defaultContextLength, expandRuns } from "../../sweep/index.js";
import { withBackendEnv } from "../../sweep/expand.js";
import { specFromArgs, SWEEP_OPTIONS } from "../sweep-options.js";
import { CARBON_OPTIONS } from "../carbon-options.js";
import { get, UsageError, type CommandSpec, type OptionSpec, type ParsedArgs } from "../args.js";
import { binCommand } from "./bin.js";

/** Sweep flags the array sets itself (each task's shard, the shared folder) or that make no sense in a batch task. */
const SET_BY_ARRAY = new Set(["out", "shard", "gpus", "progress"]);
const PASSED_TO_SWEEP: OptionSpec[] = [...SWEEP_OPTIONS, ...CARBON_OPTIONS].filter((o) => !SET_BY_ARRAY.has(o.name));

export const SLURM_OPTIONS: OptionSpec[] = [
  { name: "shards", kind: "number", help: "array tasks, one shard of the plan each" },
  { name: "out", kind: "string", help: "results folder on a file system every node sees (default results/<sweep name>); the scripts, logs and plan-keys.txt go there too" },
  { name: "partition", kind: "string", help: "Slurm partition (#SBATCH --partition)" },
  { name: "account", kind: "string", help: "Slurm account to charge (#SBATCH --account)" },
  { name: "time", kind: "string", help: "walltime per task, e.g. 08:00:00 (#SBATCH --time)" },
  { name: "constraint", kind: "string", help: "node features, e.g. h100 (#SBATCH --constraint)" },
  { name: "gpus-per-task", kind: "number", help: "GPUs per task; each task sees only its own (0 for a CPU sweep)", default: 1 },
  { name: "cpus-per-task", kind: "number", help: "CPU cores per task (#SBATCH --cpus-per-task)" },
  { name: "mem", kind: "string", help: "memory per node, e.g. 64G (#SBATCH --mem)" },
  { name: "wattlab", kind: "string", help: "how the nodes run wattlab (default: this Node and this wattlab, by absolute path)" },
  { name: "submit", kind: "boolean", help: "submit the array and the merge (afterany on the array) with sbatch, and print their job ids" },
  { name: "print", kind: "boolean", help: "also print both scripts (to copy to another host)" },
  ...PASSED_TO_SWEEP,
];

/** The sweep flags that were given, back as argv words in the options table's order (defaults left out). */
export function sweepArgsFrom(parsed: ParsedArgs): string[] {
  const words: string[] = [];
  for (const o of PASSED_TO_SWEEP) {
    const v = parsed.options[o.name];
    if (v === undefined || v === o.default) continue;
    if (o.kind === "boolean") words.push(v === true ? `--${o.name}` : `--no-${o.name}`);
    else if (o.kind === "list") {
      const values = v as string[];
      if (values.length === 0) continue;
      if (o.repeatOnly) for (const value of values) words.push(`--${o.name}`, value);
      else words.push(`--${o.name}`, values.join(","));
    } else words.push(`--${o.name}`, String(v));
  }
  return words;
}

/** The command line that reproduces these scripts (for their header). */
function commandLine(parsed: ParsedArgs, out: string, sweepArgs: string[]): string {
  const words = ["wattlab", "slurm", ...sweepArgs, "--shards", String(get.number(parsed, "shards"))];
  for (const o of SLURM_OPTIONS) {
    if (["shards", "out", "submit", "print"].includes(o.name) || PASSED_TO_SWEEP.includes(o)) continue;
    const v = parsed.options[o.name];
    if (v !== undefined && v !== o.default) words.push(`--${o.name}`, String(v));
  }
  words.push("--out", out);
  return words.map(shellQuote).join(" ");
}

export const slurmCommand: CommandSpec = {
  name: "slurm",
  summary: "write (and with --submit, submit) a sweep as a Slurm job array of shards plus a dependent merge",
  usage: "wattlab slurm [--spec FILE | --preset NAME] [sweep flags…] --shards N [--partition P --account A --time T --gpus-per-task G] [--out DIR] [--submit]",
  options: SLURM_OPTIONS,
  async run(parsed) {
    const shards = get.number(parsed, "shards");
    if (shards === undefined) throw new UsageError("wattlab slurm: say how many array tasks with --shards N, e.g. --shards 4");
    const spec = specFromArgs(parsed, { contextLength: defaultContextLength });
    const out = get.string(parsed, "out") ?? `results/${spec.name}`;
    const sweepArgs = sweepArgsFrom(parsed);
    const resources: SlurmResources = {
      partition: get.string(parsed, "partition"), account: get.string(parsed, "account"), time: get.string(parsed, "time"),
      constraint: get.string(parsed, "constraint"), gpusPerTask: get.number(parsed, "gpus-per-task") ?? 1,
      cpusPerTask: get.number(parsed, "cpus-per-task"), mem: get.string(parsed, "mem"),
    };
    let scripts: { array: string; merge: string };
    try {
      scripts = slurmScripts({
        sweepArgs, shards, out, resources, generatedBy: commandLine(parsed, out, sweepArgs),
        wattlab: get.string(parsed, "wattlab") ?? binCommand().map(shellQuote).join(" "),
      });
    } catch (error) {
      if (error instanceof SlurmOptionsError) throw new UsageError(`wattlab slurm: ${error.message}`);
      throw error;
    }
    // the keys the tasks will give their runs: the environment's llama.cpp switches reach them through sbatch
    const plan = expandRuns(withBackendEnv(spec, process.env));
    mkdirSync(join(out, "logs"), { recursive: true });
    writeFileSync(join(out, ARRAY_SCRIPT), scripts.array, { mode: 0o755 });
    writeFileSync(join(out, MERGE_SCRIPT), scripts.merge, { mode: 0o755 });
    writeFileSync(join(out, PLAN_KEYS), plan.map((r) => r.key).join("\n") + "\n");
    console.log(`${plan.length} runs in ${shards} shards → ${join(out, ARRAY_SCRIPT)}, ${join(out, MERGE_SCRIPT)} (plan keys: ${join(out, PLAN_KEYS)})`);
    if (get.boolean(parsed, "print")) console.log(`\n${scripts.array}\n${scripts.merge}`);
    if (!get.boolean(parsed, "submit")) {
      console.log(`submit: wattlab slurm … --submit, or on the login node: jobid=$(sbatch --parsable ${join(out, ARRAY_SCRIPT)}) && sbatch --dependency=afterany:\${jobid%%;*} ${join(out, MERGE_SCRIPT)}`);
      return;
    }
    const { arrayJob, mergeJob } = submitSlurm(out);
    console.log(`array job ${arrayJob} (${shards} tasks), merge job ${mergeJob} (afterany:${arrayJob})`);
  },
};
