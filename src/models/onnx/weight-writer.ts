// Runs the weight jobs of a plan into the external data file: serially, or spread over worker threads
// (the seeded generator is the bottleneck, ~30 M values/s per core; a 7B model has 7e9 values).
import { closeSync, ftruncateSync, openSync } from "node:fs";
import { runJobPool, startModuleWorker } from "../job-pool.js";
import { jobElements, runWeightJob, type WeightJob } from "./weight-jobs.js";

/** `onProgress` hears the fraction of the values written after each job. */
export async function writeWeights(path: string, sizeBytes: number, jobs: WeightJob[], seed: number, workers: number,
  onProgress?: (fraction: number) => void): Promise<void> {
  const total = jobs.reduce((sum, job) => sum + jobElements(job), 0) || 1;
  let done = 0;
  const finished = (job: WeightJob) => { done += jobElements(job); onProgress?.(done / total); };
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, sizeBytes);
    if (workers <= 1 || jobs.length < 2) {
      for (const job of jobs) { runWeightJob(job, fd, seed); finished(job); }
      return;
    }
  } finally {
    closeSync(fd);
  }
  await runJobPool(jobs, jobElements, workers, () => startModuleWorker(import.meta.url, "weight-worker", { path, seed }), "writing weights failed", finished);
}
