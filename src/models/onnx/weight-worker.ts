// Worker thread: runs weight jobs sent by writeWeights, each into its own byte range of the data file.
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { jobName, runWeightJob, type WeightJob } from "./weight-jobs.js";

const { path, seed } = workerData as { path: string; seed: number };
const fd = openSync(path, "r+");
parentPort!.on("message", (job: WeightJob | null) => {
  if (job === null) { closeSync(fd); parentPort!.close(); return; }
  try {
    runWeightJob(job, fd, seed);
    parentPort!.postMessage({ ok: true });
  } catch (error) {
    parentPort!.postMessage({ ok: false, message: `${jobName(job)}: ${(error as Error).message}` });
  }
});
