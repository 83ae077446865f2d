// The text datasets of the seed study, read from local files (found by option, environment or a data
// folder) or, where the network allows, downloaded once from the Hugging Face Hub as Parquet into a cache.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { packageRoot } from "../version.js";
import type { TextDatasetName } from "./names.js";

export type { TextDatasetName } from "./names.js";

export interface AlpacaRecord { instruction: string; input: string; output: string }
export interface Gsm8kRecord { question: string; answer: string }

export interface DatasetOptions {
  /** A JSON array of {instruction, input, output}; beats every other location. */
  alpacaPath?: string;
  /** A JSONL of {question, answer}. */
  gsm8kPath?: string;
  /** A folder holding alpaca/alpaca_data.json (or alpaca_5000.json) and gsm8k/test.jsonl. */
  dataDir?: string;
  /** Where downloads go; default $WATTLAB_CACHE or $XDG_CACHE_HOME/wattlab or ~/.cache/wattlab, + /datasets. */
  cacheDir?: string;
  /** Try the Hugging Face Hub when no local file is found; default true unless WATTLAB_OFFLINE or HF_HUB_OFFLINE is set. */
  download?: boolean;
  /** Environment to read (default process.env); tests pass their own. */
  env?: Record<string, string | undefined>;
  /** For the download; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Folders laid out like WATTLAB_DATA_DIR searched last before the cache; default the package's data/. */
  localFolders?: string[];
}

interface DatasetSource {
  envVar: string;
  /** Under WATTLAB_DATA_DIR / dataDir / the package's data/, in order; the first is the one to suggest. */
  localNames: string[];
  /** Under the cache: what a download writes. */
  cacheName: string;
  hubRepo: string;
  hubConfig: string;
  hubSplit: string;
  columns: string[];
}

const SOURCES: Record<TextDatasetName, DatasetSource> = {
  alpaca: {
    envVar: "WATTLAB_ALPACA", localNames: ["alpaca/alpaca_data.json", "alpaca/alpaca_5000.json", "alpaca/alpaca.json"], cacheName: "alpaca/alpaca.json",
    hubRepo: "tatsu-lab/alpaca", hubConfig: "default", hubSplit: "train", columns: ["instruction", "input", "output"],
  },
  gsm8k: {
    envVar: "WATTLAB_GSM8K", localNames: ["gsm8k/test.jsonl"], cacheName: "gsm8k/test.jsonl",
    hubRepo: "openai/gsm8k", hubConfig: "main", hubSplit: "test", columns: ["question", "answer"],
  },
};

export class DatasetNotFoundError extends Error {
  override name = "DatasetNotFoundError";
}

/** The package's data/ folder, where a user drops the files (data/README.md). */
function defaultLocalFolders(): string[] {
  return [join(packageRoot(), "data")];
}

function cacheRoot(options: DatasetOptions): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return options.cacheDir;
  const base = env.WATTLAB_CACHE ?? (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, "wattlab") : join(homedir(), ".cache", "wattlab"));
  return join(base, "datasets");
}

/** The local files looked at, in order (explicit path, env var, data folders, download cache). */
export function datasetCandidates(name: TextDatasetName, options: DatasetOptions = {}): string[] {
  const env = options.env ?? process.env;
  const source = SOURCES[name];
  const explicit = name === "alpaca" ? options.alpacaPath : options.gsm8kPath;
  if (explicit) return [explicit];
  const out: string[] = [];
  if (env[source.envVar]) out.push(env[source.envVar]!);
  const folders = [options.dataDir, env.WATTLAB_DATA_DIR, ...(options.localFolders ?? defaultLocalFolders())].filter((f): f is string => !!f);
  for (const folder of folders) out.push(...source.localNames.map((name) => join(folder, name)));
  out.push(join(cacheRoot(options), source.cacheName));
  return out;
}

/** The first existing local file for a dataset, or null. */
export function resolveDatasetPath(name: TextDatasetName, options: DatasetOptions = {}): string | null {
  return datasetCandidates(name, options).find((p) => existsSync(p)) ?? null;
}

function notFound(name: TextDatasetName, options: DatasetOptions, cause?: unknown): DatasetNotFoundError {
  const source = SOURCES[name];
  const explicit = name === "alpaca" ? options.alpacaPath : options.gsm8kPath;
  const file = source.localNames[0];
  const where = explicit ? `${explicit} does not exist` :
    cause ? `no local copy, and the download from the Hugging Face Hub (${source.hubRepo}) failed: ${oneLine(cause)}` :
    `no local copy${downloadAllowed(options) ? "" : " and downloads are off (WATTLAB_OFFLINE / HF_HUB_OFFLINE)"}`;
  return new DatasetNotFoundError(
    `${name} dataset not found: ${where}. Fix: put ${file.split("/")[1]} at ${join(packageRoot(), "data", file)}, ` +
    `or set WATTLAB_DATA_DIR to a folder holding ${file} (or ${source.envVar} to the file), or run once online to cache it ` +
    `(looked at: ${datasetCandidates(name, options).join(", ")})`,
    cause ? { cause } : undefined,
  );
}

function oneLine(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const detail = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(error)}${detail ? ` (${detail})` : ""}`.replace(/\s+/g, " ");
}

function downloadAllowed(options: DatasetOptions): boolean {
  const env = options.env ?? process.env;
  if (options.download !== undefined) return options.download;
  return !(env.WATTLAB_OFFLINE || env.HF_HUB_OFFLINE === "1" || env.HF_DATASETS_OFFLINE === "1");
}

/** Parses a dataset file: a JSON array (alpaca) or JSON lines (gsm8k); either form is accepted for both. */
function parseRecords(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, "utf8");
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) return JSON.parse(text) as Record<string, unknown>[];
  return text.split("\n").filter((l) => l.trim() !== "").map((line, i) => {
    try { return JSON.parse(line) as Record<string, unknown>; } catch (e) { throw new Error(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`); }
  });
}

function checkFields<T>(path: string, rows: Record<string, unknown>[], fields: string[]): T[] {
  rows.forEach((row, i) => {
    for (const f of fields) if (typeof row[f] !== "string") throw new Error(`${path}: record ${i} has no string "${f}"; expected objects with ${fields.join(", ")}`);
  });
  return rows as unknown as T[];
}

/** The Hub's Parquet export of a split, written to the cache as JSON (alpaca) or JSONL (gsm8k). */
async function download(name: TextDatasetName, options: DatasetOptions): Promise<string> {
  const source = SOURCES[name];
  const get = options.fetch ?? globalThis.fetch;
  const { parquetReadObjects } = await import("hyparquet");
  // The Hub lists the auto-converted Parquet files of a config/split; small splits have one file.
  const hub = ((options.env ?? process.env).HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  const listUrl = `${hub}/api/datasets/${source.hubRepo}/parquet/${source.hubConfig}/${source.hubSplit}`;
  // A closed network should fail in seconds, not hang a sweep or a notebook.
  const listed = await get(listUrl, { signal: AbortSignal.timeout(20_000) });
  if (!listed.ok) throw new Error(`GET ${listUrl}: HTTP ${listed.status}`);
  const urls = (await listed.json()) as string[];
  const rows: Record<string, unknown>[] = [];
  for (const url of urls) {
    const response = await get(url, { signal: AbortSignal.timeout(300_000) });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    const file = await response.arrayBuffer();
    rows.push(...(await parquetReadObjects({ file, columns: source.columns })));
  }
  const target = join(cacheRoot(options), source.cacheName);
  mkdirSync(dirname(target), { recursive: true });
  const text = name === "alpaca" ? JSON.stringify(rows) : rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, target);
  return target;
}

/** A local path for the dataset, downloading it once if allowed; errors name the path or variable to set. */
export async function datasetPath(name: TextDatasetName, options: DatasetOptions = {}): Promise<string> {
  const local = resolveDatasetPath(name, options);
  if (local) return local;
  const explicit = name === "alpaca" ? options.alpacaPath : options.gsm8kPath;
  if (explicit || !downloadAllowed(options)) throw notFound(name, options);
  try {
    return await download(name, options);
  } catch (error) {
    throw notFound(name, options, error);
  }
}

export async function loadAlpaca(options: DatasetOptions = {}): Promise<AlpacaRecord[]> {
  const path = await datasetPath("alpaca", options);
  return checkFields<AlpacaRecord>(path, parseRecords(path), ["instruction", "input"]);
}

export async function loadGsm8k(options: DatasetOptions = {}): Promise<Gsm8kRecord[]> {
  const path = await datasetPath("gsm8k", options);
  return checkFields<Gsm8kRecord>(path, parseRecords(path), ["question"]);
}

/** The seed's Alpaca prompt: the instruction, then the input after a blank line when there is one. */
export function alpacaPrompt(r: AlpacaRecord): string {
  return r.input && r.input.trim() !== "" ? `${r.instruction}\n\n${r.input}` : r.instruction;
}

/** The seed's GSM8K prompt: the question alone. */
export function gsm8kPrompt(r: Gsm8kRecord): string {
  return r.question;
}

/** Prompt texts of a dataset in file order. */
export async function loadPromptTexts(name: TextDatasetName, options: DatasetOptions = {}): Promise<string[]> {
  return name === "alpaca" ? (await loadAlpaca(options)).map(alpacaPrompt) : (await loadGsm8k(options)).map(gsm8kPrompt);
}
