// Runs write jobs over a pool of worker threads, largest first, for both weight writers (ONNX external data
// and GGUF): each worker opens the same pre-sized file and writes whole tensors into their known byte ranges.
import { Worker } from "node:worker_threads";

/**
 * A worker from a module beside `callerUrl`: the compiled `.js` file, or, from sources under tsx (tests), the
 * `.ts` file with tsx registered first, since workers do not inherit the parent's loader.
 */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  // a parent started with `node --input-type=module -e …` would pass a flag that workers refuse
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, execArgv });
  const script = new URL(`./${name}.ts`, callerUrl).href;
  const bootstrap = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv });
}

/**
 * Hands `jobs` (largest `size` first, so the embedding and output matrices do not finish last alone) to
 * `workers` threads made by `start`; each replies `{ ok, message? }` per job and exits on `null`. `onDone` hears of each
 * job written (for progress).
 */
export async function runJobPool<J>(jobs: readonly J[], size: (job: J) => number, workers: number,
  start: () => Worker, failure: string, onDone?: (job: J) => void): Promise<void> {
  const queue = [...jobs].sort((a, b) => size(b) - size(a));
  const pool = Array.from({ length: Math.min(workers, queue.length) }, start);
  try {
    await Promise.all(pool.map((worker) => new Promise<void>((resolve, reject) => {
      let current: J | undefined;
      const next = () => {
        const job = queue.shift();
        current = job;
        if (!job) { worker.postMessage(null); resolve(); return; }
        worker.postMessage(job);
      };
      worker.on("message", (reply: { ok: boolean; message?: string }) => {
        if (!reply.ok) reject(new Error(`${failure}: ${reply.message}`));
        else {
          if (current !== undefined) onDone?.(current);
          next();
        }
      });
      worker.on("error", reject);
      next();
    })));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
