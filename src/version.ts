// wattlab's own version and the git commit of the checkout, for every result row's metadata.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: the nearest folder above this module holding wattlab's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file) && JSON.parse(readFileSync(file, "utf8")).name === "wattlab") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("wattlab's package.json was not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function wattlabVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")).version;
}

/**
 * The commit of the checkout, read from .git without spawning git; in a folder made by `wattlab bundle`, the commit
 * it was packed from (its BUNDLE.json); null otherwise.
 */
export function gitCommit(root = packageRoot()): string | null {
  if (!existsSync(join(root, ".git")) && existsSync(join(root, "BUNDLE.json"))) {
    try { return (JSON.parse(readFileSync(join(root, "BUNDLE.json"), "utf8")) as { commit?: string | null }).commit ?? null; } catch { return null; }
  }
  try {
    const head = readFileSync(join(root, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    const loose = join(root, ".git", ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
    const packed = readFileSync(join(root, ".git", "packed-refs"), "utf8");
    return packed.split("\n").find((l) => l.endsWith(" " + ref))?.split(" ")[0] ?? null;
  } catch {
    return null;
  }
}
