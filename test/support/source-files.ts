// Every TypeScript source under a folder (declaration files left out), for the architecture tests.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repo's src/ folder, from dist/test/… or test/…. */
export const srcDir = join(fileURLToPath(new URL("../../../", import.meta.url)), "src");

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}
