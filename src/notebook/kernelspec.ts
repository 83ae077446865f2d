// Jupyter kernelspecs for wattlab's kernel, written without Python.
//
// Two flavours, because kernel.json's argv cannot be relative to the spec's folder except through jupyter_client's
// `{resource_dir}` substitution (nbclient, nbconvert, JupyterLab and Notebook have it; other frontends may not):
// - portable: `node` from PATH and `{resource_dir}/<relative path to dist>`; committed in the repo as
//   .jupyter/kernels/wattlab/kernel.json, used with JUPYTER_PATH=<repo>/.jupyter (CI, nbconvert). Regenerate with
//   writeKernelSpec(".jupyter/kernels/wattlab", { portable: true }); a test checks the committed file matches.
// - absolute: this Node's path and this checkout's launcher; installKernelSpec writes it to the user's (or a
//   prefix's) Jupyter data folder, where VS Code and any Jupyter find it (`wattlab kernel install`).
// Both run the compiled launcher, so `npm run build` must have run. interrupt_mode "signal": SIGINT reaches tslab's
// vm in the kernel process and stops even a synchronous loop, which an interrupt_request message could not.
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { builtKernelMain } from "./paths.js";

export const kernelName = "wattlab";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
}

export interface KernelSpecOptions {
  /** `node` and `{resource_dir}`-relative paths instead of absolute ones (see above). */
  portable?: boolean;
}

/** The kernelspec whose kernel.json would live in `dir`. */
export function kernelSpec(dir: string, options: KernelSpecOptions = {}): KernelSpec {
  const launcher = builtKernelMain();
  const argv = options.portable
    ? ["node", "{resource_dir}/" + relative(resolve(dir), launcher).split("\\").join("/")]
    : [process.execPath, launcher];
  return {
    argv: [argv[0]!, "--disable-warning=ExperimentalWarning", argv[1]!, "--config-path", "{connection_file}"],
    display_name: "TypeScript (wattlab)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { debugger: false },
  };
}

export function kernelSpecJson(dir: string, options: KernelSpecOptions = {}): string {
  return JSON.stringify(kernelSpec(dir, options), null, 2) + "\n";
}

/** Write `dir`/kernel.json; returns its path. */
export function writeKernelSpec(dir: string, options: KernelSpecOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kernel.json");
  writeFileSync(path, kernelSpecJson(dir, options));
  return path;
}

export interface InstallOptions {
  /** Per-user Jupyter data folder (the default when no prefix is given). */
  user?: boolean;
  /** Install under `<prefix>/share/jupyter/kernels/` (a virtualenv or conda env). */
  prefix?: string;
}

/** Install an absolute-path kernelspec named "wattlab"; returns the folder written. */
export async function installKernelSpec(options: InstallOptions = {}): Promise<string> {
  const dir = join(kernelsDir(options), kernelName);
  writeKernelSpec(dir);
  return dir;
}

/** Jupyter's kernels folder for a prefix, the user or the system, as jupyter_core computes it. */
export function kernelsDir(options: InstallOptions = {}): string {
  if (options.prefix) return join(resolve(options.prefix), "share", "jupyter", "kernels");
  if (options.user === false) {
    if (process.platform === "win32") return join(process.env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter", "kernels");
    return "/usr/local/share/jupyter/kernels";
  }
  return join(userDataDir(), "kernels");
}

function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return resolve(process.env.JUPYTER_DATA_DIR);
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "jupyter");
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}
