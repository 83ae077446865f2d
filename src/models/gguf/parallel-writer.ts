// Writes a GGUF whose tensors are drawn in worker threads: the header is written first, the file is sized
// to its final length, and each worker writes whole tensors into their known byte ranges.
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { runJobPool, startModuleWorker } from "../job-pool.js";
import { GGUF_DEFAULT_ALIGNMENT, alignUp } from "./constants.js";
import type { GgufEntry } from "./metadata.js";
import { runTensorJob, type TensorJob } from "./tensor-job.js";
import type { PlannedTensor } from "./tensors.js";
import { ggufHeader } from "./writer.js";

/**
 * Same bytes as writeGguf over the same tensors; `workers` ≤ 1 runs the jobs in this thread. `hooks.beforeWrite` hears
 * the file's size before anything is written (and may throw to stop), `hooks.onProgress` the fraction written after each tensor.
 */
export async function writeGgufTensors(path: string, metadata: readonly GgufEntry[], tensors: readonly PlannedTensor[],
  seed: number, workers: number, hooks: { beforeWrite?: (totalBytes: number) => void; onProgress?: (fraction: number) => void } = {}): Promise<{ bytes: number }> {
  const { header, tensorBytes, tensorOffsets } = ggufHeader(metadata, tensors);
  const jobs: TensorJob[] = tensors.map((tensor, i) => ({ tensor, position: header.length + tensorOffsets[i], bytes: tensorBytes[i] }));
  const last = jobs[jobs.length - 1];
  const total = last ? alignUp(last.position + last.bytes, GGUF_DEFAULT_ALIGNMENT) : header.length;
  hooks.beforeWrite?.(total);
  const onProgress = hooks.onProgress;
  const payload = jobs.reduce((sum, job) => sum + job.bytes, 0) || 1;
  let written = 0;
  const finished = (job: TensorJob) => { written += job.bytes; onProgress?.(written / payload); };
  const fd = openSync(path, "w");
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, total);
    if (workers <= 1 || jobs.length < 2) {
      for (const job of jobs) { runTensorJob(job, fd, seed); finished(job); }
      return { bytes: total };
    }
  } finally {
    closeSync(fd);
  }
  await runJobPool(jobs, (job) => job.bytes, workers, () => startModuleWorker(import.meta.url, "tensor-worker", { path, seed }), "GGUF writer", finished);
  return { bytes: total };
}
