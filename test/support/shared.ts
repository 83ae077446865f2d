// Finds the read-only third-party fixtures (../shared or $WATTLAB_SHARED); tests skip with a printed reason where absent.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repo root: the nearest folder above this file with wattlab's package.json (works from src and dist). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !readFileSync(join(dir, "package.json"), "utf8").includes('"name": "wattlab"')) {
    const up = dirname(dir);
    if (up === dir) throw new Error("wattlab package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}
const repoRoot = findRepoRoot();

export function sharedDir(): string | null {
  const candidates = [process.env.WATTLAB_SHARED, join(repoRoot, "..", "shared")].filter(Boolean) as string[];
  return candidates.find((dir) => existsSync(join(dir, "README.md")) || existsSync(join(dir, "fixtures"))) ?? null;
}

/** Path to a file under shared/, or a skip reason string for node:test's `skip` option. */
export function sharedPath(relative: string): { path: string; skip: false } | { path: ""; skip: string } {
  const dir = sharedDir();
  if (!dir) return { path: "", skip: "shared fixtures not found: set WATTLAB_SHARED or place shared/ beside the repo" };
  const path = join(dir, relative);
  if (!existsSync(path)) return { path: "", skip: `fixture missing: ${path}` };
  return { path, skip: false };
}

export { repoRoot };
