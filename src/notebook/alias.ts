// Makes `import … from "wattlab"` work in any notebook folder, for both halves of tslab: the type check and the run.
//
// Why not the alternatives (each was checked against tslab 1.0.22's dist/converter.js and executor.js):
// - tslab type-checks with its own TypeScript 5.0 and fixed options (moduleResolution Node10, no tsconfig read, no
//   `paths`), so tsconfig paths are ignored, and TypeScript never looks at NODE_PATH;
// - a `node_modules/wattlab` symlink would have to be written into every folder that holds a notebook.
// tslab itself solves this for `import "tslab"` by forwarding `<cwd>/node_modules/tslab/…` in the compiler's file
// system; we do the same for an aliased package name, and map the bare name in Node's resolver for the run.
// The kernel thus always imports the wattlab it belongs to, as tslab does with "tslab".
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import { requireFromTslab } from "./paths.js";

type ResolveFilename = (this: unknown, request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
type FileSystemHost = Record<"fileExists" | "directoryExists", (path: string) => boolean> & {
  readFile(path: string, encoding?: string): string | undefined;
  realpath?(path: string): string;
  readDirectory(path: string, ...rest: unknown[]): string[];
  getModifiedTime?(path: string): Date | undefined;
};

/** Package name → the folder holding its package.json. */
const aliases = new Map<string, string>();
let hooksInstalled = false;

/**
 * Resolve `name` (and `name/…` where its "exports" allow) to the package at `root`, in this process's Node
 * resolver and in tslab's TypeScript file system. Call before tslab creates its converters.
 */
export function aliasPackage(name: string, root: string): void {
  aliases.set(name, root.replace(/\\/g, "/").replace(/\/$/, ""));
  if (hooksInstalled) return;
  hooksInstalled = true;
  hookNodeResolver();
  hookTypeScriptFiles(requireFromTslab()("@tslab/typescript-for-tslab").sys as FileSystemHost);
}

/** The aliased package a module request names, if any: "wattlab" and "wattlab/x" name "wattlab". */
function aliasedName(request: string): string | undefined {
  for (const name of aliases.keys()) if (request === name || request.startsWith(name + "/")) return name;
  return undefined;
}

function hookNodeResolver(): void {
  const loader = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = loader._resolveFilename;
  let inside = false; // the self-reference below goes through this same hook once more
  loader._resolveFilename = function (request, parent, isMain, options) {
    const name = inside ? undefined : aliasedName(request);
    if (!name) return original.call(this, request, parent, isMain, options);
    inside = true;
    try {
      return resolveInPackage(request, name, aliases.get(name)!);
    } finally {
      inside = false;
    }
  };
}

function resolveInPackage(request: string, name: string, root: string): string {
  const manifest = join(root, "package.json");
  const hasExports = existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).exports !== undefined;
  // A package may require itself by name through its "exports" (Node's self-reference), honouring its conditions.
  const target = hasExports ? request : root + request.slice(name.length);
  try {
    return createRequire(manifest).resolve(target);
  } catch (error) {
    if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
    throw new Error(
      `Cannot load "${request}": the wattlab kernel maps "${name}" to ${root}, but its entry file is missing ` +
        `(${(error as Error).message.split("\n")[0]}). Build it first: cd ${root} && npm run build`,
    );
  }
}

/** `<anything>/node_modules/<name>/rest` → `<root>/rest` for aliased names; other paths unchanged. */
export function forwardAliasedPath(path: string): string {
  const normal = path.replace(/\\/g, "/");
  for (const [name, root] of aliases) {
    const marker = `/node_modules/${name}`;
    const at = normal.indexOf(marker);
    if (at < 0) continue;
    const rest = normal.slice(at + marker.length);
    if (rest === "" || rest.startsWith("/")) return root + rest;
  }
  return path;
}

function hookTypeScriptFiles(sys: FileSystemHost): void {
  const base = { ...sys } as FileSystemHost;
  sys.fileExists = (path) => base.fileExists(forwardAliasedPath(path));
  sys.directoryExists = (path) => base.directoryExists(forwardAliasedPath(path));
  sys.readFile = (path, encoding) => base.readFile(forwardAliasedPath(path), encoding);
  sys.readDirectory = (path, ...rest) => base.readDirectory(forwardAliasedPath(path), ...rest);
  // Real paths let TypeScript resolve the package's own imports from where its files really are.
  if (base.realpath) sys.realpath = (path) => base.realpath!(forwardAliasedPath(path));
  if (base.getModifiedTime) sys.getModifiedTime = (path) => base.getModifiedTime!(forwardAliasedPath(path));
}
