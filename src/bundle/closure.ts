// Which node_modules packages a command-line run needs: the closure of a few root packages over their dependencies
// and optional dependencies, resolved the way Node resolves them (a package's own node_modules first, then each
// folder above), keeping only the platform builds that load on this machine.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/** The engines a bundle can carry; each adds its packages to the CLI's own. */
export const BUNDLE_ENGINES = ["onnxruntime", "llama.cpp"] as const;
export type BundleEngine = (typeof BUNDLE_ENGINES)[number];

/** node-llama-cpp's prebuilt binaries, by GPU backend (its optional packages @node-llama-cpp/<os>-<arch>[-backend]). */
export const LLAMA_BACKENDS = ["cpu", "vulkan", "cuda"] as const;
export type LlamaBackend = (typeof LLAMA_BACKENDS)[number];

/** What every command needs whatever the engine: tokenizers, chat templates, datasets, carbon data, the meters. */
const CLI_PACKAGES = ["@huggingface/tokenizers", "@huggingface/jinja", "@tgwf/co2", "hyparquet", "koffi", "node-nvidia-smi"];
const ENGINE_PACKAGES: Record<BundleEngine, string[]> = {
  onnxruntime: ["onnxruntime-node", "onnxruntime-common"],
  "llama.cpp": ["node-llama-cpp"],
};

/** The root packages of a bundle with these engines. */
export function bundleRoots(engines: readonly BundleEngine[]): string[] {
  return [...CLI_PACKAGES, ...engines.flatMap((e) => ENGINE_PACKAGES[e])];
}

export interface Platform {
  os: NodeJS.Platform;
  cpu: string;
  /** "glibc" or "musl"; null where Node cannot tell (not Linux). */
  libc: "glibc" | "musl" | null;
}

export function currentPlatform(): Platform {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { os: process.platform, cpu: process.arch, libc: process.platform !== "linux" ? null : header?.glibcVersionRuntime ? "glibc" : "musl" };
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** npm's rule for os/cpu/libc lists: names allow, "!name" forbids; an empty or absent list allows everything. */
function allows(list: string[] | undefined, value: string | null): boolean {
  if (!list || list.length === 0 || value === null) return true;
  if (list.includes("!" + value)) return false;
  const positive = list.filter((v) => !v.startsWith("!"));
  return positive.length === 0 || positive.includes(value);
}

/** The GPU backend of a node-llama-cpp prebuilt package, or null for any other package. */
export function llamaBackendOf(name: string): LlamaBackend | null {
  if (!name.startsWith("@node-llama-cpp/")) return null;
  const m = /-(vulkan|cuda|cuda-ext)$/.exec(name);
  return m ? (m[1] === "vulkan" ? "vulkan" : "cuda") : "cpu";
}

/**
 * Whether a node-llama-cpp prebuilt (@node-llama-cpp/<os>-<arch>[-backend]) is this platform's. Their package.json
 * `cpu` lists also name x64 for the Arm builds (for cross builds), so the name decides.
 */
export function llamaPrebuiltFits(name: string, platform: Platform): boolean {
  const os = platform.os === "darwin" ? "mac" : platform.os === "win32" ? "win" : platform.os;
  return name.replace(/^@node-llama-cpp\//, "").replace(/-(vulkan|cuda|cuda-ext|metal)$/, "") === `${os}-${platform.cpu}`;
}

export interface ClosureOptions {
  /** The folder holding node_modules/ (the package root). */
  root: string;
  roots: readonly string[];
  platform?: Platform;
  /** node-llama-cpp prebuilts to keep (default: cpu and vulkan). */
  llamaBackends?: readonly LlamaBackend[];
}

export interface Closure {
  /** Package folders, relative to `root` (node_modules/…), sorted; nested ones sit inside their parents' folders. */
  packages: string[];
  /** Top-level folders to copy (those not inside another listed package). */
  folders: string[];
  /** Required dependencies that no folder provides: name ← the package that needs it. */
  missing: string[];
}

/** The package folders `roots` need, resolved from `root`; see the module comment. */
export function packageClosure(options: ClosureOptions): Closure {
  const platform = options.platform ?? currentPlatform();
  const backends = options.llamaBackends ?? ["cpu", "vulkan"];
  const modules = join(options.root, "node_modules");
  const seen = new Set<string>();
  const missing: string[] = [];

  /** Node's lookup of `name` from inside the package folder `from` (or from the root). */
  const resolve = (name: string, from: string): string | null => {
    for (let dir = from; ; dir = dirname(dir)) {
      const base = dir.endsWith(sep + "node_modules") || dir === modules ? dir : join(dir, "node_modules");
      const candidate = join(base, name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
      if (dir === options.root || !dir.startsWith(options.root)) return null;
    }
  };
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
    for (const [name, optional] of [...Object.keys(pkg.dependencies ?? {}).map((n) => [n, false] as const), ...Object.keys(pkg.optionalDependencies ?? {}).map((n) => [n, true] as const)]) {
      const backend = llamaBackendOf(name);
      if (backend && (!backends.includes(backend) || !llamaPrebuiltFits(name, platform))) continue;
      const found = resolve(name, dir);
      if (!found) {
        if (!optional) missing.push(`${name} ← ${pkg.name ?? relative(options.root, dir)}`);
        continue;
      }
      const dep = JSON.parse(readFileSync(join(found, "package.json"), "utf8")) as PackageJson;
      if (!allows(dep.os, platform.os) || !allows(dep.cpu, platform.cpu) || !allows(dep.libc, platform.libc)) continue;
      visit(found);
    }
  };
  for (const name of options.roots) {
    const found = resolve(name, options.root);
    if (found) visit(found);
    else missing.push(`${name} ← wattlab`);
  }
  const packages = [...seen].map((d) => relative(options.root, d)).sort();
  const folders = packages.filter((p) => !packages.some((q) => q !== p && p.startsWith(q + sep)));
  return { packages, folders, missing };
}
