// Finds the GGUF file and the llama.cpp binding (node-llama-cpp's prebuilt per-platform packages), turning
// their failures into errors that say what is missing and how to get it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { getLlama, LlamaLogLevel, NoBinaryFoundError, resolveModelFile, type Llama } from "node-llama-cpp";
import { homedir } from "node:os";
import { isModelUri } from "../hub.js";

export type LlamaCppDevice = "cpu" | "vulkan" | "cuda" | "auto";
/** "never": only prebuilt or earlier local builds; "autoAttempt": compile from source if none fits (needs cmake, a compiler, the GPU SDK). */
export type LlamaCppBuild = "never" | "autoAttempt";

const require = createRequire(import.meta.url);

/** The .gguf itself, or the single .gguf inside a folder. */
/** A model URI node-llama-cpp can download: `hf:owner/repo/file.gguf`, `hf:owner/repo:Q4_K_M`, or an https URL. */
export const isGgufUri = isModelUri;

/**
 * A local .gguf for a path or a hub URI: URIs are fetched once by node-llama-cpp into
 * $WATTLAB_CACHE/gguf (default ~/.cache/wattlab/gguf) and reused from there; offline, the error says what to pass instead.
 */
export async function localGguf(modelPath: string): Promise<string> {
  if (!isGgufUri(modelPath)) return resolveGgufPath(modelPath);
  const directory = join(process.env.WATTLAB_CACHE ?? join(homedir(), ".cache", "wattlab"), "gguf");
  const offline = (why: string) => new Error(`could not fetch ${modelPath} into ${directory} (${why}); ` +
    `offline, download the .gguf elsewhere and pass its local path (or put it in ${directory})`);
  // node-llama-cpp's downloader retries for minutes without a network: ask the host once, briefly, first.
  const host = modelPath.startsWith("http") ? new URL(modelPath).origin : "https://huggingface.co";
  try {
    await fetch(host, { method: "HEAD", signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw offline(`${host} unreachable: ${(error as Error)?.cause ? String((error as { cause: unknown }).cause) : (error as Error)?.message}`);
  }
  try {
    return await resolveModelFile(modelPath, { directory, cli: false });
  } catch (error) {
    throw offline((error as Error)?.message ?? String(error));
  }
}

export function resolveGgufPath(modelPath: string): string {
  if (!existsSync(modelPath)) throw new Error(`GGUF model not found: ${modelPath}. Build one with buildGguf() or pass the path of a .gguf file`);
  if (!statSync(modelPath).isDirectory()) return modelPath;
  const files = readdirSync(modelPath).filter((f) => f.endsWith(".gguf")).sort();
  if (files.length === 0) throw new Error(`no .gguf file in ${modelPath}. Build one with buildGguf() or pass the path of a .gguf file`);
  if (files.length > 1) throw new Error(`several .gguf files in ${modelPath} (${files.join(", ")}); pass the path of one`);
  return join(modelPath, files[0]);
}

/** Version of an installed package, or null where it is not installed. */
function packageVersion(name: string): string | null {
  try {
    const main = require.resolve(name);
    let dir = dirname(main);
    while (!existsSync(join(dir, "package.json")) || JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== name) {
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version as string;
  } catch {
    return null;
  }
}

export function nodeLlamaCppVersion(): string {
  return packageVersion("node-llama-cpp") ?? "unknown";
}

/** The prebuilt binary package node-llama-cpp looks for, e.g. @node-llama-cpp/linux-x64-vulkan. */
export function binaryPackageName(gpu: "vulkan" | "cuda" | false): string {
  return `@node-llama-cpp/${platform()}-${arch()}${gpu ? "-" + gpu : ""}`;
}

function unavailableMessage(device: LlamaCppDevice, cause: unknown): string {
  const gpu = device === "vulkan" || device === "cuda" ? device : false;
  const pkg = binaryPackageName(gpu);
  const installed = packageVersion(pkg);
  const needs = device === "vulkan" ? "the Vulkan loader (libvulkan.so.1) and a Vulkan GPU driver"
    : device === "cuda" ? "the CUDA 13 runtime (libcudart.so.13, libcublas.so.13) and an NVIDIA driver" : "glibc on x64/arm64";
  const what = installed
    ? `${pkg} ${installed} is installed but its binary did not load here: it needs ${needs}`
    : `the prebuilt package ${pkg} is not installed: run \`npm install ${pkg}@${nodeLlamaCppVersion()}\` (npm 11 skips node-llama-cpp's postinstall; optional packages still install)`;
  // NoBinaryFoundError's message is just its class name; other errors carry a reason worth showing
  const reason = cause instanceof Error && cause.message && !/^[A-Za-z]+Error$/.test(cause.message) ? ` (${cause.message})` : "";
  return `llama.cpp ${device} backend unavailable: ${what}. Or pass build: "autoAttempt" to compile llama.cpp from source (needs cmake and a C++ compiler${gpu ? `, plus the ${gpu} SDK` : ""})${reason}`;
}

const llamas = new Map<string, Promise<Llama>>();

/** One binding per (device, build) for the process: node-llama-cpp loads a native addon each time otherwise. */
export function loadLlama(device: LlamaCppDevice, build: LlamaCppBuild): Promise<Llama> {
  const key = `${device}/${build}`;
  let llama = llamas.get(key);
  if (!llama) {
    const gpu = device === "cpu" ? false : device;
    llama = getLlama({ gpu, build, skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false }).catch((err: unknown) => {
      llamas.delete(key);
      if (err instanceof NoBinaryFoundError || (err instanceof Error && /binary|build/i.test(err.message))) {
        throw new Error(unavailableMessage(device, err), { cause: err });
      }
      throw err;
    });
    llamas.set(key, llama);
  }
  return llama;
}
