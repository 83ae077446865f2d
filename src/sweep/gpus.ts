// One sweep worker per GPU on one host: each child runs `wattlab sweep --shard i/n` with only its GPU
// visible, and the shard files are merged into metrics.jsonl + metrics.csv when all have exited.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { resultsPathFor } from "./run.js";
import { BUILTIN_SPECS } from "./builtin-specs.js";
import { expandConfigs, loadSpecFile, specToJson, type SweepSpec } from "./spec.js";
import { exportCsv, mergeShards, writeFileAtomic, type MergeSummary } from "./store.js";

export interface GpuSweepOptions {
  /** The wattlab CLI as argv, e.g. ["node", "bin/wattlab.js"]; "sweep --spec … --shard i/n --out …" is appended. */
  command: string[];
  outDir: string;
  /** More sweep flags for every child, e.g. ["--force"]. */
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Each output line of each child; default: stderr with a "[gpu N]" prefix. */
  onOutput?(gpu: number, line: string): void;
  cwd?: string;
}

export interface WorkerExit {
  gpu: number;
  shard: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GpuSweepResult {
  workers: WorkerExit[];
  /** Workers that did not exit 0; their completed rows are merged all the same, and a rerun finishes the rest. */
  failed: WorkerExit[];
  merge: MergeSummary;
  csvPath: string;
}

/**
 * Environment that restricts a child to one GPU: CUDA (onnxruntime CUDA EP, NVML index mapping in the
 * meter) and llama.cpp's Vulkan backend. Nothing restricts onnxruntime's WebGPU EP (see webgpuWorkersProblem).
 */
export function gpuEnv(gpu: number): Record<string, string> {
  return { CUDA_VISIBLE_DEVICES: String(gpu), GGML_VK_VISIBLE_DEVICES: String(gpu) };
}

/**
 * Why per-GPU workers cannot run this spec, or null: onnxruntime-node 1.30 cannot be told which GPU its WebGPU EP
 * uses (Dawn does not read CUDA_VISIBLE_DEVICES, and the binding refuses deviceId, adapter or powerPreference on the
 * webgpu provider as unrecognized options), so every worker would run on Dawn's default GPU while each meter read
 * its own.
 */
export function webgpuWorkersProblem(spec: SweepSpec): string | null {
  if (!expandConfigs(spec).some((c) => c.device === "webgpu")) return null;
  return "--gpus cannot run device webgpu: onnxruntime-node cannot pick the GPU a WebGPU worker uses, so every worker would run on " +
    "the same GPU while each meter read its own; run one sweep without --gpus, or use --device cuda or --engine llama.cpp --device vulkan";
}

export async function runSweepOnGpus(spec: SweepSpec | string, gpus: readonly number[], options: GpuSweepOptions): Promise<GpuSweepResult> {
  if (gpus.length === 0) throw new Error("runSweepOnGpus: no GPUs given; pass e.g. --gpus 0,1,2,3");
  if (new Set(gpus).size !== gpus.length) throw new Error(`runSweepOnGpus: GPU list ${gpus.join(",")} repeats a GPU`);
  const problem = webgpuWorkersProblem(typeof spec === "string" ? loadSpecFile(spec, { builtins: { ...BUILTIN_SPECS } }) : spec);
  if (problem) throw new Error(problem);
  let specPath: string;
  if (typeof spec === "string") {
    specPath = spec;
  } else {
    specPath = join(options.outDir, "spec.json");
    writeFileAtomic(specPath, JSON.stringify(specToJson(spec), null, 2) + "\n");
  }
  const onOutput = options.onOutput ?? ((gpu, line) => process.stderr.write(`[gpu ${gpu}] ${line}\n`));
  const count = gpus.length;
  const workers = await Promise.all(gpus.map((gpu, index) => new Promise<WorkerExit>((resolve, reject) => {
    const shard = `${index}/${count}`;
    const [program, ...args] = options.command;
    const child = spawn(program, [...args, "sweep", "--spec", specPath, "--shard", shard, "--out", options.outDir, ...(options.extraArgs ?? [])], {
      cwd: options.cwd, env: { ...process.env, ...options.env, ...gpuEnv(gpu) }, stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => onOutput(gpu, line));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ gpu, shard, code, signal }));
  })));
  const inputs = [resultsPathFor(options.outDir), ...workers.map((_, i) => resultsPathFor(options.outDir, { index: i, count }))].filter((p) => existsSync(p));
  const out = resultsPathFor(options.outDir);
  const merge = inputs.length ? mergeShards(inputs, out) : { rows: 0, completed: 0, failed: 0, superseded: 0, out };
  const csvPath = out.replace(/\.jsonl$/, ".csv");
  if (inputs.length) exportCsv(out, csvPath);
  return { workers, failed: workers.filter((w) => w.code !== 0), merge, csvPath };
}

/** Merges shard files into `out` (JSONL) and writes the CSV beside it: the body of `wattlab merge`. */
export function mergeResults(files: readonly string[], out: string): MergeSummary & { csvPath: string } {
  const summary = mergeShards(files, out);
  const csvPath = out.replace(/\.jsonl$/i, "") + ".csv";
  exportCsv(out, csvPath);
  return { ...summary, csvPath };
}
