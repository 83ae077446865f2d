// Worker thread of the parallel GGUF writer: runs the tensor jobs it is sent against one open file.
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { runTensorJob, type TensorJob } from "./tensor-job.js";

const { path, seed } = workerData as { path: string; seed: number };
const fd = openSync(path, "r+");
parentPort!.on("message", (job: TensorJob | null) => {
  if (job === null) { closeSync(fd); parentPort!.close(); return; }
  try {
    runTensorJob(job, fd, seed);
    parentPort!.postMessage({ ok: true });
  } catch (error) {
    parentPort!.postMessage({ ok: false, message: `${job.tensor.name}: ${(error as Error).message}` });
  }
});
