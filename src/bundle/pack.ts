// `wattlab bundle`: one folder holding what a node without a registry or network (an air-gapped GPU node of a
// cluster, say) needs to run the CLI: dist/, bin/, the packages the chosen engines need (this platform's binaries
// only), data/ and python/, optionally the running Node binary and the Vulkan loader, and a launcher.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { gitCommit, packageRoot, wattlabVersion } from "../version.js";
import { bundleRoots, currentPlatform, packageClosure, type BundleEngine, type LlamaBackend } from "./closure.js";

export interface BundleOptions {
  /** The folder to create (absent or empty). */
  out: string;
  engines: readonly BundleEngine[];
  /** node-llama-cpp prebuilts to carry (default cpu and vulkan); only with the llama.cpp engine. */
  llamaBackends?: readonly LlamaBackend[];
  /** Carry the running Node binary (node/bin/node), for nodes without Node. */
  withNode?: boolean;
  /** Carry node-llama-cpp's llama.cpp sources, unpacked, and scripts/llamacpp-cuda-build.sh (builds CUDA there). */
  llamaSource?: boolean;
  /** The Vulkan loader to carry; default: found on this machine (null: carry none). */
  vulkanLoader?: string | null;
  /** Carry libglvnd's libraries NVIDIA's Vulkan driver needs (GLVND_LIBS) beside the loader, where found (default true). */
  glvnd?: boolean;
  /** The wattlab checkout to pack (default: the running one). */
  root?: string;
}

export interface BundlePart {
  name: string;
  /** Units: bytes. */
  bytes: number;
}

export interface BundleSummary {
  out: string;
  /** Units: bytes. */
  bytes: number;
  parts: BundlePart[];
  node: string | null;
  vulkanLoader: string | null;
  /** libglvnd's libraries carried beside the loader (sonames). */
  glvnd: string[];
  /** Packages a dependency names that this checkout lacks (an incomplete install); the bundle may fail where they load. */
  missing: string[];
  notes: string[];
}

/** What wattlab reads at run time besides dist/ and node_modules/ (copied when present). */
const RUNTIME_FOLDERS = ["bin", "data", "python"];
/**
 * The libglvnd libraries NVIDIA's Vulkan driver (libGLX_nvidia.so.0) needs to find its GPU, which a headless node may
 * lack: on an H100 node with neither, vkCreateInstance "found no drivers" until both were beside the loader, and each
 * alone was not enough (libGLX, libGL, libOpenGL and libGLESv2 were not needed).
 */
const GLVND_LIBS = ["libGLdispatch.so.0", "libEGL.so.1"];
/** What CMake builds of llama.cpp (node-llama-cpp's llama/CMakeLists.txt with llama.cpp as a subproject). */
const LLAMA_SOURCE_PARTS = ["CMakeLists.txt", "LICENSE", "licenses", "cmake", "ggml", "src", "include", "common", "vendor", "grammars"];

/**
 * A shared library (e.g. libvulkan.so.1) on this machine: LD_LIBRARY_PATH, then the loader's cache, then the usual
 * folders; null if none.
 */
export function findLibrary(soname: string): string | null {
  const dirs = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
  for (const d of dirs) if (existsSync(join(d, soname))) return join(d, soname);
  for (const ldconfig of ["ldconfig", "/sbin/ldconfig"]) {
    try {
      const lines = execFileSync(ldconfig, ["-p"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split("\n").filter((l) => l.trim().startsWith(soname + " "));
      // the entry for this process's architecture where the cache lists several (e.g. x86-64 and i386)
      const line = lines.find((l) => process.arch !== "x64" || l.includes("x86-64")) ?? lines[0];
      const path = line?.split("=> ")[1]?.trim();
      if (path && existsSync(path)) return path;
    } catch { /* no ldconfig here */ }
  }
  const usual = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"].map((d) => join(d, soname));
  return usual.find((p) => existsSync(p)) ?? null;
}

/** Bytes under `path` (files, not following links). Units: bytes. */
export function folderBytes(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0);
}

/** Copies `rel` from `root` to `out`, skipping what a run never reads (see `keep`). */
function copyInto(root: string, out: string, rel: string, keep: (relPath: string) => boolean): void {
  cpSync(join(root, rel), join(out, rel), {
    recursive: true, verbatimSymlinks: true, preserveTimestamps: true,
    filter: (src) => keep(relative(root, src).split(sep).join("/")),
  });
}

/** A file or folder of node_modules that no run on this platform reads. */
function skippedModulePath(rel: string, engines: readonly BundleEngine[]): boolean {
  const os = process.platform, cpu = process.arch;
  if (rel.endsWith(".map")) return true;
  // onnxruntime-node ships every platform's binaries under bin/napi-v*/<os>/<cpu>/
  const napi = /\/bin\/napi-v\d+\/([^/]+)(?:\/([^/]+))?/.exec(rel);
  if (napi && (napi[1] !== os || (napi[2] !== undefined && napi[2] !== cpu))) return true;
  // node-llama-cpp: its git bundle of llama.cpp (34 MB; --llama-source unpacks what a build needs instead), a source
  // checkout or local builds of this machine (built for its CPU and GPU)
  if (/^node_modules\/node-llama-cpp\/llama\/(gitRelease\.bundle|llama\.cpp|localBuilds)(\/|$)/.test(rel)) return true;
  if (/(^|\/)\.cache(\/|$)/.test(rel)) return true;
  return !engines.includes("llama.cpp") && rel.startsWith("node_modules/node-llama-cpp");
}

/** node-llama-cpp's bundled llama.cpp release, patched as `node-llama-cpp source download` does, cut to what CMake builds. */
function unpackLlamaSource(root: string, out: string): void {
  const nlc = join(root, "node_modules", "node-llama-cpp", "llama");
  const gitBundle = join(nlc, "gitRelease.bundle");
  if (!existsSync(gitBundle)) throw new Error(`--llama-source: ${gitBundle} is missing (node-llama-cpp ships it); run npm ci`);
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("--llama-source needs git on this machine to unpack node-llama-cpp's llama.cpp sources (apt-get install git)");
  }
  const tmp = join(tmpdir(), `wattlab-llama-src-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    execFileSync("git", ["clone", "--quiet", gitBundle, tmp], { stdio: ["ignore", "ignore", "pipe"] });
    const patches = existsSync(join(nlc, "patches")) ? readdirSync(join(nlc, "patches")).filter((f) => f.endsWith(".diff")).sort() : [];
    for (const p of patches) execFileSync("git", ["-C", tmp, "apply", "--ignore-whitespace", join(nlc, "patches", p)], { stdio: ["ignore", "ignore", "pipe"] });
    const dest = join(out, "node_modules", "node-llama-cpp", "llama", "llama.cpp");
    mkdirSync(join(dest, ".git"), { recursive: true });  // node-llama-cpp only checks that it exists
    for (const part of LLAMA_SOURCE_PARTS) if (existsSync(join(tmp, part))) cpSync(join(tmp, part), join(dest, part), { recursive: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const LAUNCHER = `#!/bin/sh
# wattlab, packed by \`wattlab bundle\`: runs the CLI from this folder, with no install (README.md here).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -x "$here/node/bin/node" ]; then
  node="$here/node/bin/node"
else
  node=$(command -v node) || { echo "wattlab: no Node here: install Node >= 20, or make the bundle with --with-node" >&2; exit 1; }
fi
# the carried Vulkan loader (and the libglvnd dispatch library NVIDIA's Vulkan driver loads) only where the system
# lacks one of them: a system's own copies match its driver
cache=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null)
for lib in "$here"/lib/*.so.*; do
  [ -f "$lib" ] || continue
  case $cache in *"\${lib##*/} "*) ;; *) LD_LIBRARY_PATH="$here/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH; break ;; esac
done
exec "$node" "$here/bin/wattlab.js" "$@"
`;

function readme(s: { version: string; commit: string | null; engines: readonly BundleEngine[]; backends: readonly LlamaBackend[]; node: string | null; vulkan: string | null; llamaSource: boolean }): string {
  const lines = [
    `# wattlab ${s.version}${s.commit ? ` (${s.commit.slice(0, 10)})` : ""}, bundled`,
    "",
    "Everything the wattlab command line needs, for a machine without a registry or network: copy this folder there",
    "(e.g. `tar czf wattlab.tgz -C <parent> <folder>`, then unpack it on the node) and run it in place:",
    "",
    "```bash",
    "./wattlab info                      # GPUs, meters and execution providers found, and why any is missing",
    "./wattlab generate --model tiny --max-new-tokens 16",
    "./wattlab sweep --preset tiny-batch",
    "./wattlab --help",
    "```",
    "",
    `- Engines: ${s.engines.join(", ")}${s.engines.includes("llama.cpp") ? ` (llama.cpp prebuilts: ${s.backends.join(", ")})` : ""}.`,
    s.node ? `- Node: \`node/bin/node\` (${s.node}); the launcher uses it.` : "- Node: not carried; the launcher runs the `node` on PATH (Node ≥ 20).",
    s.vulkan ? "- Vulkan loader: `lib/` (libvulkan.so.1, and the libglvnd libraries NVIDIA's Vulkan driver needs, where found), used only where the system lacks one of them; the GPU driver itself must be installed." : "- Vulkan loader: not carried; WebGPU and llama.cpp Vulkan need `libvulkan.so.1` (and for NVIDIA, libglvnd) on the node.",
    "- Models are built on first use under `models/` here (`WATTLAB_MODELS_DIR` moves them); results go to `results/`.",
    "- Datasets: `data/` holds what the packing checkout had; put Alpaca/GSM8K files there or set `WATTLAB_DATA_DIR`",
    "  (without them, built-in sweeps use the synthetic look-alikes and say so in every row).",
  ];
  if (s.llamaSource) lines.push("- llama.cpp for CUDA GPUs the prebuilts lack (Hopper sm_90, A100 sm_80): `scripts/llamacpp-cuda-build.sh --archs 90`",
    "  builds it here from the carried sources (needs cmake, a C++ compiler and nvcc); `--help` says more.");
  return lines.join("\n") + "\n";
}

/** Makes the bundle folder; see the module comment. */
export function makeBundle(options: BundleOptions): BundleSummary {
  const root = options.root ?? packageRoot();
  const out = resolve(options.out);
  const engines = options.engines;
  const backends = options.llamaBackends ?? ["cpu", "vulkan"];
  if (engines.length === 0) throw new Error("--engines: name at least one engine (onnxruntime, llama.cpp)");
  if (options.llamaSource && !engines.includes("llama.cpp")) throw new Error("--llama-source needs the llama.cpp engine: add --engines llama.cpp");
  if (!existsSync(join(root, "dist", "src", "cli", "main.js"))) throw new Error(`${join(root, "dist")} is missing: run npm run build first`);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`--out ${out} exists and is not empty: name a new folder`);
  if (out === root || out.startsWith(root + sep + "node_modules") || out.startsWith(root + sep + "dist")) {
    throw new Error(`--out ${out} is inside the checkout's own files: name a folder outside ${root} (or under results/)`);
  }

  const closure = packageClosure({ root, roots: bundleRoots(engines), llamaBackends: backends, platform: currentPlatform() });
  mkdirSync(out, { recursive: true });
  const notes: string[] = [];
  copyInto(root, out, "dist/src", (rel) => !rel.endsWith(".map") && !rel.endsWith(".d.ts"));
  for (const folder of RUNTIME_FOLDERS) if (existsSync(join(root, folder))) copyInto(root, out, folder, () => true);
  for (const folder of closure.folders) copyInto(root, out, folder, (rel) => !skippedModulePath(rel, engines));
  if (options.llamaSource) {
    unpackLlamaSource(root, out);
    mkdirSync(join(out, "scripts"), { recursive: true });
    copyFileSync(join(root, "scripts", "llamacpp-cuda-build.sh"), join(out, "scripts", "llamacpp-cuda-build.sh"));
    chmodSync(join(out, "scripts", "llamacpp-cuda-build.sh"), 0o755);
  }

  // package.json: what packageRoot() and Node's module type need, and the dependencies carried.
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown> & { dependencies?: Record<string, string> };
  const carried = new Set(closure.folders.map((f) => f.replace(/^node_modules\//, "")));
  const { scripts: _s, devDependencies: _d, overrides: _o, types: _t, ...kept } = pkg;
  kept.exports = { ".": "./dist/src/index.js" };  // no .d.ts files are carried
  kept.dependencies = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([n]) => carried.has(n)));
  writeFileSync(join(out, "package.json"), JSON.stringify(kept, null, 2) + "\n");

  let node: string | null = null;
  if (options.withNode) {
    mkdirSync(join(out, "node", "bin"), { recursive: true });
    copyFileSync(realpathSync(process.execPath), join(out, "node", "bin", "node"));
    chmodSync(join(out, "node", "bin", "node"), 0o755);
    node = process.version;
  }
  const wantsVulkan = engines.includes("onnxruntime") || backends.includes("vulkan");
  const loader = options.vulkanLoader === undefined ? (wantsVulkan ? findLibrary("libvulkan.so.1") : null) : options.vulkanLoader;
  const glvnd: string[] = [];
  if (loader) {
    mkdirSync(join(out, "lib"), { recursive: true });
    copyFileSync(realpathSync(loader), join(out, "lib", "libvulkan.so.1"));
    for (const soname of options.glvnd === false ? [] : GLVND_LIBS) {
      const found = findLibrary(soname);
      if (!found) continue;
      copyFileSync(realpathSync(found), join(out, "lib", soname));
      glvnd.push(soname);
    }
    const lacking = options.glvnd === false ? [] : GLVND_LIBS.filter((l) => !glvnd.includes(l));
    if (lacking.length > 0) notes.push(`libglvnd's ${lacking.join(", ")} not found here: an NVIDIA node without them finds no Vulkan driver (apt-get install libglvnd0 libegl1 here, then bundle again)`);
  } else if (wantsVulkan) {
    notes.push("no Vulkan loader (libvulkan.so.1) found here: WebGPU and llama.cpp Vulkan need it on the node (apt-get install libvulkan1 here, then bundle again)");
  }
  if (closure.missing.length > 0) notes.push(`dependencies missing from this checkout's node_modules (run npm ci): ${closure.missing.join(", ")}`);

  writeFileSync(join(out, "wattlab"), LAUNCHER);
  chmodSync(join(out, "wattlab"), 0o755);
  const commit = gitCommit(root);
  const manifest = { wattlab: wattlabVersion(), commit, engines, llamaBackends: engines.includes("llama.cpp") ? backends : [], node, vulkanLoader: loader ? basename(loader) : null, glvnd,
    llamaSource: !!options.llamaSource, platform: `${process.platform}-${process.arch}`, packages: closure.packages, createdAt: new Date().toISOString() };
  writeFileSync(join(out, "BUNDLE.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(join(out, "README.md"), readme({ version: manifest.wattlab, commit, engines, backends, node, vulkan: loader, llamaSource: !!options.llamaSource }));

  const parts: BundlePart[] = ["node_modules", "dist", "node", "lib", "data"].filter((p) => existsSync(join(out, p))).map((p) => ({ name: p, bytes: folderBytes(join(out, p)) }));
  return { out, bytes: folderBytes(out), parts, node, vulkanLoader: loader, glvnd, missing: closure.missing, notes };
}
