// Where wattlab's own files are, from src (tsx) or dist (built): the kernel and runner find each other here.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);

/** The wattlab package root: the nearest folder above this file whose package.json is named "wattlab". */
export function packageRoot(): string {
  let dir = dirname(here);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "wattlab") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`wattlab's package.json not found above ${here}`);
    dir = up;
  }
}

/** True when this module runs from TypeScript sources (tsx), false when from the compiled dist/. */
export function runningFromSource(): boolean {
  return here.endsWith(".ts");
}

/** The folder of the tslab package (the one wattlab depends on), e.g. …/node_modules/tslab. */
export function tslabDir(): string {
  return dirname(createRequire(here).resolve("tslab/package.json"));
}

/** A `require` rooted in tslab's folder: reaches tslab's internals and its own dependencies (zeromq, TypeScript). */
export function requireFromTslab(): NodeJS.Require {
  return createRequire(join(tslabDir(), "package.json"));
}

/**
 * The command line that starts wattlab's kernel with this Node, before `--config-path <file>`.
 * From dist it runs the compiled launcher; from sources (tests under tsx) it loads tsx by absolute URL,
 * because the kernel's cwd is the notebook's folder, where a bare `--import tsx` would not resolve.
 * `--disable-warning=ExperimentalWarning` silences Node 20's notice on `require()` of ES modules, which tslab
 * would otherwise forward into the first cell that imports wattlab.
 */
export function kernelCommand(): string[] {
  const flags = ["--disable-warning=ExperimentalWarning"];
  if (runningFromSource()) {
    return [process.execPath, ...flags, "--import", import.meta.resolve("tsx"), join(dirname(here), "kernel-main.ts")];
  }
  return [process.execPath, ...flags, join(dirname(here), "kernel-main.js")];
}

/** The compiled launcher's path; kernelspecs point here because Jupyter starts kernels without tsx. */
export function builtKernelMain(): string {
  return join(packageRoot(), "dist", "src", "notebook", "kernel-main.js");
}
