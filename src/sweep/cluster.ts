// Where a batch scheduler ran a sweep: the node, Slurm's job and array ids, the GPUs the task was given; and the
// inference backends' own switches set in the environment, which change what is measured without a flag.
import type { RunMetadata } from "./record.js";

/** llama.cpp's (ggml's) switches: GGML_CUDA_DISABLE_GRAPHS, GGML_VK_VISIBLE_DEVICES, LLAMA_ARG_…, read by the library itself. */
const BACKEND_ENV = /^(GGML|LLAMA)_/;

/** The backends' switches set in `env`, as sorted `NAME=value` pairs joined by spaces; null when none is set. */
export function backendEnvironment(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = Object.keys(env).filter((k) => BACKEND_ENV.test(k) && env[k] !== undefined && env[k] !== "").sort();
  return set.length ? set.map((k) => `${k}=${env[k]}`).join(" ") : null;
}

/** The node, Slurm ids, visible GPUs and backend switches from the environment, each null when unset. */
export function clusterMetadata(env: NodeJS.ProcessEnv = process.env): Required<Pick<RunMetadata,
  "slurm_node" | "slurm_job_id" | "slurm_array_job_id" | "slurm_array_task_id" | "cuda_visible_devices" | "backend_env">> {
  const read = (name: string) => (env[name] !== undefined && env[name] !== "" ? env[name]! : null);
  return {
    slurm_node: read("SLURMD_NODENAME"),
    slurm_job_id: read("SLURM_JOB_ID"),
    slurm_array_job_id: read("SLURM_ARRAY_JOB_ID"),
    slurm_array_task_id: read("SLURM_ARRAY_TASK_ID"),
    cuda_visible_devices: read("CUDA_VISIBLE_DEVICES"),
    backend_env: backendEnvironment(env),
  };
}
