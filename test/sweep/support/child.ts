// How to start the sweep child process both from sources (tsx) and from the compiled tests (dist/).
import { fileURLToPath } from "node:url";

const fromSource = import.meta.url.endsWith(".ts");

/** argv that runs test/sweep/fixtures/sweep-child with this Node. */
export function sweepChildCommand(): string[] {
  const path = fileURLToPath(new URL(`../fixtures/sweep-child.${fromSource ? "ts" : "js"}`, import.meta.url));
  return fromSource ? [process.execPath, "--import", "tsx", path] : [process.execPath, path];
}
