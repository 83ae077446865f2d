#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library. A fresh checkout has no dist/ yet, so build it once.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(join(root, "dist", "src", "cli", "main.js"))) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    console.error("wattlab: dist/ is missing and TypeScript is not installed; run `npm ci && npm run build` in " + root);
    process.exit(1);
  }
  console.error("wattlab: building dist/ (first run)…");
  execFileSync(process.execPath, [tsc, "-p", root], { stdio: "inherit" });
}
await import("../dist/src/cli/main.js");
