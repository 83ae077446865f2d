// Where a batch scheduler ran a sweep: the node, Slurm's job and array ids, the GPUs the task was given.
import type { RunMetadata } from "./record.js";

/** The node, Slurm ids and visible GPUs from the environment, each null when unset (outside Slurm, all but the GPUs). */
export function clusterMetadata(env: NodeJS.ProcessEnv = process.env): Required<Pick<RunMetadata,
  "slurm_node" | "slurm_job_id" | "slurm_array_job_id" | "slurm_array_task_id" | "cuda_visible_devices">> {
  const read = (name: string) => (env[name] !== undefined && env[name] !== "" ? env[name]! : null);
  return {
    slurm_node: read("SLURMD_NODENAME"),
    slurm_job_id: read("SLURM_JOB_ID"),
    slurm_array_job_id: read("SLURM_ARRAY_JOB_ID"),
    slurm_array_task_id: read("SLURM_ARRAY_TASK_ID"),
    cuda_visible_devices: read("CUDA_VISIBLE_DEVICES"),
  };
}
