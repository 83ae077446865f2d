// Draws, encodes and writes one planned tensor into its byte range of the file: the unit of work that
// the parallel writer hands to worker threads (the seeded generator is the bottleneck, not the disk).
import { writeSync } from "node:fs";
import { StreamingEncoder } from "./quantize.js";
import { tensorValues, type PlannedTensor } from "./tensors.js";

export interface TensorJob {
  tensor: PlannedTensor;
  /** Where the tensor's data starts in the file. Units: bytes. */
  position: number;
  bytes: number;
}

export function runTensorJob(job: TensorJob, fd: number, seed: number): void {
  const encoder = new StreamingEncoder(job.tensor.type);
  let at = job.position;
  for (const chunk of tensorValues(job.tensor, seed)) {
    const bytes = encoder.push(chunk);
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
    at += bytes.length;
  }
  encoder.finish();
  if (at - job.position !== job.bytes) {
    throw new Error(`GGUF writer: tensor ${job.tensor.name} produced ${at - job.position} bytes, expected ${job.bytes}`);
  }
}
