// Runs the weight jobs of a plan into the external data file: serially, or spread over worker threads
// (the seeded generator is the bottleneck, ~30 M values/s per core; a 7B model has 7e9 values).
import { closeSync, ftruncateSync, openSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { jobElements, runWeightJob, type WeightJob } from "./weight-jobs.js";

/** Compiled: the .js worker. Run from sources under tsx (tests): the loader is not inherited, so register it first. */
function startWorker(workerData: { path: string; seed: number }): Worker {
  // a parent started with `node --input-type=module -e …` would pass a flag that workers refuse
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./weight-worker.js", import.meta.url), { workerData, execArgv });
  const script = new URL("./weight-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv });
}

export async function writeWeights(path: string, sizeBytes: number, jobs: WeightJob[], seed: number, workers: number): Promise<void> {
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, sizeBytes);
    if (workers <= 1 || jobs.length < 2) {
      for (const job of jobs) runWeightJob(job, fd, seed);
      return;
    }
  } finally {
    closeSync(fd);
  }
  // Largest first, so that the long tensors (embeddings, lm_head) do not finish last alone.
  const queue = [...jobs].sort((a, b) => jobElements(b) - jobElements(a));
  const pool = Array.from({ length: Math.min(workers, queue.length) }, () => startWorker({ path, seed }));
  try {
    await Promise.all(pool.map((worker) => new Promise<void>((resolve, reject) => {
      const next = () => {
        const job = queue.shift();
        if (!job) { worker.postMessage(null); resolve(); return; }
        worker.postMessage(job);
      };
      worker.on("message", (reply: { ok: boolean; message?: string }) => {
        if (!reply.ok) reject(new Error(`writing weights failed: ${reply.message}`));
        else next();
      });
      worker.on("error", reject);
      next();
    })));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
