// Model ids ("onnx-community/Qwen2.5-0.5B-Instruct") resolved to a local folder: plain fetches of the
// Hugging Face Hub's resolve URLs into a cache ($WATTLAB_CACHE or ~/.cache/wattlab/hub). Files already
// cached are used without the network; HF_HUB_OFFLINE=1 or WATTLAB_OFFLINE=1 forbid downloads.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export const HUB_URL = process.env.HF_ENDPOINT ?? "https://huggingface.co";

export class OfflineError extends Error {
  override readonly name = "OfflineError";
}

export function hubCacheDir(): string {
  return process.env.WATTLAB_CACHE ?? join(homedir(), ".cache", "wattlab", "hub");
}

// The one pattern for each kind of remote model name; everything that tells them apart asks these.
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const MODEL_URI = /^(hf:|huggingface:|https?:\/\/)/;

/** Shaped like a Hub repository id, "owner/name" (the owner starts with a letter or digit, so "../x" is not one). */
export function isHubIdShape(source: string): boolean {
  return HUB_ID.test(source);
}

/** "owner/name" that is not an existing local path. */
export function looksLikeHubId(source: string): boolean {
  return isHubIdShape(source) && !existsSync(source);
}

/** A model URI node-llama-cpp can download: `hf:owner/repo/file.gguf`, `hf:owner/repo:Q4_K_M`, `huggingface:…` or an http(s) URL. */
export function isModelUri(source: string): boolean {
  return MODEL_URI.test(source);
}

function offlineMessage(modelId: string, why: string): string {
  return `offline: pass a local directory instead of the model id "${modelId}" (${why}); ` +
    `a folder with its files (e.g. from \`huggingface-cli download ${modelId}\`) works, as does setting WATTLAB_CACHE to a filled cache`;
}

export interface HubDownloadOptions {
  revision?: string;
  cacheDir?: string;
  /** Files whose 404 is not an error (e.g. generation_config.json). */
  optional?: readonly string[];
}

/** Local folder of a hub model with `files` present (those in `optional` only if the hub has them). */
export async function hubDownload(modelId: string, files: readonly string[], options: HubDownloadOptions = {}): Promise<string> {
  const revision = options.revision ?? "main";
  const dir = join(options.cacheDir ?? hubCacheDir(), modelId, revision);
  const optional = new Set(options.optional ?? []);
  for (const file of files) {
    const target = join(dir, file);
    if (existsSync(target)) continue;
    if (process.env.HF_HUB_OFFLINE === "1" || process.env.WATTLAB_OFFLINE === "1") {
      if (optional.has(file)) continue;
      throw new OfflineError(offlineMessage(modelId, `${file} is not cached in ${dir} and downloads are off`));
    }
    const found = await fetchToFile(`${HUB_URL}/${modelId}/resolve/${encodeURIComponent(revision)}/${file}`, target, modelId);
    if (!found && !optional.has(file)) throw new Error(`${modelId}: the hub has no ${file} at revision ${revision}`);
  }
  return dir;
}

/** Downloads url into target through a .part file; false on 404. */
async function fetchToFile(url: string, target: string, modelId: string): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000); // for the response headers only
  let response: Response;
  try {
    const headers: Record<string, string> = {};
    if (process.env.HF_TOKEN) headers.authorization = `Bearer ${process.env.HF_TOKEN}`;
    response = await fetch(url, { headers, signal: controller.signal, redirect: "follow" });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why = `${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ""}`;
    throw new OfflineError(offlineMessage(modelId, `cannot reach ${new URL(url).host}: ${why}`));
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 404) return false;
  if (response.status === 401 || response.status === 403) {
    throw new Error(`${modelId}: the hub refused ${url} (${response.status}); a gated model needs HF_TOKEN with access granted`);
  }
  if (!response.ok || !response.body) throw new Error(`${modelId}: download of ${url} failed with HTTP ${response.status}`);
  mkdirSync(dirname(target), { recursive: true });
  const part = `${target}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), createWriteStream(part));
    renameSync(part, target);
  } catch (error) {
    rmSync(part, { force: true });
    throw error;
  }
  return true;
}
