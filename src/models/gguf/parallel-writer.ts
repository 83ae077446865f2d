// Writes a GGUF whose tensors are drawn in worker threads: the header is written first, the file is sized
// to its final length, and each worker writes whole tensors into their known byte ranges.
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { GGUF_DEFAULT_ALIGNMENT, alignUp } from "./constants.js";
import type { GgufEntry } from "./metadata.js";
import { runTensorJob, type TensorJob } from "./tensor-job.js";
import type { PlannedTensor } from "./tensors.js";
import { ggufHeader } from "./writer.js";

/** Compiled: the .js worker. From sources under tsx (tests), workers do not inherit the loader: register it first. */
function startWorker(workerData: { path: string; seed: number }): Worker {
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./tensor-worker.js", import.meta.url), { workerData, execArgv });
  const script = new URL("./tensor-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv });
}

/** Same bytes as writeGguf over the same tensors; `workers` ≤ 1 runs the jobs in this thread. */
export async function writeGgufTensors(path: string, metadata: readonly GgufEntry[], tensors: readonly PlannedTensor[],
  seed: number, workers: number): Promise<{ bytes: number }> {
  const { header, tensorBytes, tensorOffsets } = ggufHeader(metadata, tensors);
  const jobs: TensorJob[] = tensors.map((tensor, i) => ({ tensor, position: header.length + tensorOffsets[i], bytes: tensorBytes[i] }));
  const last = jobs[jobs.length - 1];
  const total = last ? alignUp(last.position + last.bytes, GGUF_DEFAULT_ALIGNMENT) : header.length;
  const fd = openSync(path, "w");
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, total);
    if (workers <= 1 || jobs.length < 2) {
      for (const job of jobs) runTensorJob(job, fd, seed);
      return { bytes: total };
    }
  } finally {
    closeSync(fd);
  }
  // largest first, so that the embedding and output matrices do not finish last alone
  const queue = [...jobs].sort((a, b) => b.bytes - a.bytes);
  const pool = Array.from({ length: Math.min(workers, queue.length) }, () => startWorker({ path, seed }));
  try {
    await Promise.all(pool.map((worker) => new Promise<void>((resolve, reject) => {
      const next = () => {
        const job = queue.shift();
        if (!job) { worker.postMessage(null); resolve(); return; }
        worker.postMessage(job);
      };
      worker.on("message", (reply: { ok: boolean; message?: string }) => {
        if (!reply.ok) reject(new Error(`GGUF writer: ${reply.message}`));
        else next();
      });
      worker.on("error", reject);
      next();
    })));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return { bytes: total };
}
