// Bytes of a model's weight files on disk: what a batch-1 decode step must read at least once, so the
// denominator of the bandwidth floor that reports set each run against.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Weight-bearing files: ONNX graphs and their external data, GGUF, safetensors, raw .bin/.data blobs. */
const WEIGHT_FILE = /\.(onnx|onnx\.data|onnx_data|data|gguf|safetensors|bin)$/i;

/** A .gguf file's size, or the summed weight files of a model folder; null when the path does not exist. */
export function modelWeightBytes(path: string): number | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null; // a hub reference not yet downloaded, or a path that moved: the column stays empty
  }
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return null;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isFile() && WEIGHT_FILE.test(entry.name)) total += statSync(join(path, entry.name)).size;
  }
  return total;
}
