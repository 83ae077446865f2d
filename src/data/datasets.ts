// The text datasets of the seed study, read from local files (found by option, environment or a data
// folder) or, where the network allows, downloaded once from the Hugging Face Hub as Parquet into a cache.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { packageRoot } from "../version.js";

export type TextDatasetName = "alpaca" | "gsm8k";

export interface AlpacaRecord { instruction: string; input: string; output: string }
export interface Gsm8kRecord { question: string; answer: string }

export interface DatasetOptions {
  /** A JSON array of {instruction, input, output}; beats every other location. */
  alpacaPath?: string;
  /** A JSONL of {question, answer}. */
  gsm8kPath?: string;
  /** A folder holding alpaca/alpaca_5000.json and gsm8k/test.jsonl. */
  dataDir?: string;
  /** Where downloads go; default $WATTLAB_CACHE or $XDG_CACHE_HOME/wattlab or ~/.cache/wattlab, + /datasets. */
  cacheDir?: string;
  /** Try the Hugging Face Hub when no local file is found; default true unless WATTLAB_OFFLINE or HF_HUB_OFFLINE is set. */
  download?: boolean;
  /** Environment to read (default process.env); tests pass their own. */
  env?: Record<string, string | undefined>;
  /** For the download; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Folders laid out like WATTLAB_DATA_DIR searched last before the cache; default the repo's data/ and a
   * developer checkout's ../shared/datasets (read in place, never copied). */
  localFolders?: string[];
}

interface DatasetSource {
  envVar: string;
  /** Under WATTLAB_DATA_DIR / dataDir. */
  localName: string;
  /** Under the cache: what a download writes. */
  cacheName: string;
  hubRepo: string;
  hubConfig: string;
  hubSplit: string;
  columns: string[];
}

const SOURCES: Record<TextDatasetName, DatasetSource> = {
  alpaca: {
    envVar: "WATTLAB_ALPACA", localName: "alpaca/alpaca_5000.json", cacheName: "alpaca/alpaca.json",
    hubRepo: "tatsu-lab/alpaca", hubConfig: "default", hubSplit: "train", columns: ["instruction", "input", "output"],
  },
  gsm8k: {
    envVar: "WATTLAB_GSM8K", localName: "gsm8k/test.jsonl", cacheName: "gsm8k/test.jsonl",
    hubRepo: "openai/gsm8k", hubConfig: "main", hubSplit: "test", columns: ["question", "answer"],
  },
};

export class DatasetNotFoundError extends Error {
  override name = "DatasetNotFoundError";
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
  if (options.dataDir) out.push(join(options.dataDir, source.localName));
  if (env.WATTLAB_DATA_DIR) out.push(join(env.WATTLAB_DATA_DIR, source.localName));
  // the repo's own data/ folder, then a developer checkout's ../shared/datasets (never copied into the repo)
  const folders = options.localFolders ?? [join(packageRoot(), "data"), join(packageRoot(), "..", "shared", "datasets")];
  out.push(...folders.map((folder) => join(folder, source.localName)));
  out.push(join(cacheRoot(options), source.cacheName));
  return out;
}

/** The first existing local file for a dataset, or null. */
export function resolveDatasetPath(name: TextDatasetName, options: DatasetOptions = {}): string | null {
  return datasetCandidates(name, options).find((p) => existsSync(p)) ?? null;
}

function notFound(name: TextDatasetName, options: DatasetOptions, cause?: unknown): DatasetNotFoundError {
  const source = SOURCES[name];
  const looked = datasetCandidates(name, options);
  const why = cause ? ` The download from the Hugging Face Hub (${source.hubRepo}) failed: ${(cause as Error).message ?? cause}.` : "";
  return new DatasetNotFoundError(
    `${name} dataset not found; looked at ${looked.join(", ")}.${why} ` +
    `Set ${source.envVar}=/path/to/${source.localName.split("/")[1]}, or WATTLAB_DATA_DIR to a folder holding ${source.localName}` +
    `${cause || options.download === false ? "" : ", or allow the download"}.`,
    cause ? { cause } : undefined,
  );
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
  const listUrl = `https://huggingface.co/api/datasets/${source.hubRepo}/parquet/${source.hubConfig}/${source.hubSplit}`;
  const listed = await get(listUrl);
  if (!listed.ok) throw new Error(`GET ${listUrl}: HTTP ${listed.status}`);
  const urls = (await listed.json()) as string[];
  const rows: Record<string, unknown>[] = [];
  for (const url of urls) {
    const response = await get(url);
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
