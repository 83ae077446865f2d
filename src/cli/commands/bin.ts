// How to call this same CLI from a child process (per-GPU workers, notebooks' main job).
import { join } from "node:path";
import { packageRoot } from "../../version.js";

export function binCommand(): string[] {
  return [process.execPath, join(packageRoot(), "bin", "wattlab.js")];
}
