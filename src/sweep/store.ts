// The results store: an append-only JSONL file is the truth. Each row goes down in one write followed by
// fsync, so a kill or power cut loses at most the row being written; a torn last line is reported and
// skipped, and the next row starts on a fresh line. CSV is an export of it, written atomically.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { toCsv } from "./csv.js";
import { writeAll } from "./write-all.js";
import { RECORD_COLUMNS, type RunRecord } from "./record.js";

export interface StoreWarning {
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

export type WarningSink = (warning: StoreWarning) => void;

export const printWarning: WarningSink = (w) => console.warn(`wattlab: ${w.file}:${w.line}: ${w.message}`);

/** What every stored row has: the serving rows (src/sweep/serving/record.ts) share the store with RunRecord's. */
export interface StoredRow {
  key: string;
  state: "completed" | "failed";
}

export interface ResultsFile<R extends StoredRow = RunRecord> {
  /** Valid rows in file order (superseded attempts included). */
  rows: R[];
  warnings: StoreWarning[];
  /** The file does not end with a newline: the next append must start a new line first. */
  unterminated: boolean;
}

function isRow<R extends StoredRow>(value: unknown): value is R {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.key === "string" && v.key !== "" && (v.state === "completed" || v.state === "failed");
}

/** Reads a results JSONL file; a missing file is empty. Bad lines become warnings, never exceptions. */
export function readResults<R extends StoredRow = RunRecord>(path: string): ResultsFile<R> {
  if (!existsSync(path)) return { rows: [], warnings: [], unterminated: false };
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const unterminated = text.length > 0 && !text.endsWith("\n");
  if (!unterminated) lines.pop(); // the empty string after the final newline
  const rows: R[] = [];
  const warnings: StoreWarning[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const last = unterminated && i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      warnings.push({
        file: path, line: i + 1,
        message: last
          ? "the last line is torn (the file ends mid-row, e.g. a power cut or kill during a write); ignored"
          : "not valid JSON (a row torn by an earlier interruption); ignored",
      });
      return;
    }
    if (isRow<R>(parsed)) rows.push(parsed);
    else warnings.push({ file: path, line: i + 1, message: 'not a result row (needs a "key" and a "state" of completed or failed); ignored' });
  });
  return { rows, warnings, unterminated };
}

/**
 * One row per key: a completed row beats a failed one; between rows of the same state the later wins
 * (a forced rerun replaces the earlier measurement). Keys keep their first-appearance order.
 */
export function effectiveRows<R extends StoredRow>(rows: readonly R[]): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) {
    const prior = byKey.get(row.key);
    if (!prior || row.state === "completed" || prior.state === "failed") byKey.set(row.key, row);
  }
  return [...byKey.values()];
}

function fsyncDir(dir: string): void {
  // Makes a new or renamed file's directory entry durable; not possible on every platform, so best effort.
  try {
    const fd = openSync(dir, "r");
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* e.g. Windows: directories cannot be opened */ }
}


/** Writes a whole file so that readers see either the old or the new content, never a half. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(temp, "w");
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDir(dirname(resolve(path)));
}

export class ResultStore<R extends StoredRow = RunRecord> {
  private rowsInFile: R[];
  private unterminated: boolean;
  private fd: number | null = null;

  private constructor(readonly path: string, contents: ResultsFile<R>) {
    this.rowsInFile = contents.rows;
    this.unterminated = contents.unterminated;
  }

  /** Opens (without creating) a results file; warnings about torn or bad lines go to `onWarning`. */
  static open<R extends StoredRow = RunRecord>(path: string, options: { onWarning?: WarningSink } = {}): ResultStore<R> {
    const contents = readResults<R>(path);
    contents.warnings.forEach(options.onWarning ?? printWarning);
    return new ResultStore<R>(path, contents);
  }

  /** Every valid row in file order, superseded attempts included. */
  records(): readonly R[] {
    return this.rowsInFile;
  }

  /** One row per key (see effectiveRows). */
  latest(): R[] {
    return effectiveRows(this.rowsInFile);
  }

  completedKeys(): Set<string> {
    return new Set(this.rowsInFile.filter((r) => r.state === "completed").map((r) => r.key));
  }

  /** Keys whose every attempt failed. */
  failedKeys(): Set<string> {
    const completed = this.completedKeys();
    return new Set(this.rowsInFile.filter((r) => r.state === "failed" && !completed.has(r.key)).map((r) => r.key));
  }

  /** Appends one row durably: one write of the whole line, then fsync. */
  append(row: R): void {
    if (this.fd === null) {
      const created = !existsSync(this.path);
      mkdirSync(dirname(resolve(this.path)), { recursive: true });
      this.fd = openSync(this.path, "a");
      if (created) fsyncDir(dirname(resolve(this.path)));
    }
    // After a torn tail the new row must not glue onto it: start a fresh line.
    writeAll(this.fd, (this.unterminated ? "\n" : "") + JSON.stringify(row) + "\n");
    fsyncSync(this.fd);
    this.unterminated = false;
    this.rowsInFile.push(row);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Rows per key in results files (missing files are empty), for noticing rows another process stored meanwhile. */
export function rowCountsByKey(paths: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const path of paths) for (const row of readResults(path).rows) counts.set(row.key, (counts.get(row.key) ?? 0) + 1);
  return counts;
}

// Run claims live in src/sweep/claims.ts; their old import path stays.
export { RunClaims, type ClaimOwner } from "./claims.js";

export function unionColumns(rows: readonly Record<string, unknown>[]): string[] {
  const columns: string[] = [...RECORD_COLUMNS];
  const seen = new Set<string>(columns);
  for (const row of rows) for (const c of Object.keys(row)) if (!seen.has(c)) { seen.add(c); columns.push(c); }
  return columns;
}

/**
 * CSV from a results JSONL, written atomically (temp file + rename). By default one row per key
 * (effectiveRows: failed attempts later completed are dropped); `all` exports every attempt.
 */
export function exportCsv(jsonlPath: string, csvPath: string, options: { all?: boolean; onWarning?: WarningSink } = {}): { rows: number; columns: string[] } {
  const contents = readResults(jsonlPath);
  contents.warnings.forEach(options.onWarning ?? printWarning);
  const rows = options.all ? contents.rows : effectiveRows(contents.rows);
  const columns = unionColumns(rows);
  writeFileAtomic(csvPath, toCsv(rows, columns));
  return { rows: rows.length, columns };
}

export interface MergeSummary {
  /** Rows written (one per key). */
  rows: number;
  completed: number;
  failed: number;
  /** Rows read that a better or later row for the same key replaced. */
  superseded: number;
  out: string;
}

/**
 * Merges shard files into one JSONL (atomically), one row per key: a completed row beats a failed one,
 * later files and lines beat earlier ones. `out` may be among the inputs.
 */
export function mergeShards(files: readonly string[], out: string, options: { onWarning?: WarningSink } = {}): MergeSummary {
  const all: RunRecord[] = [];
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`${file} does not exist; pass the shard files a sweep wrote (metrics.shard-I-of-N.jsonl)`);
    const contents = readResults(file);
    contents.warnings.forEach(options.onWarning ?? printWarning);
    all.push(...contents.rows);
  }
  const rows = effectiveRows(all);
  writeFileAtomic(out, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const completed = rows.filter((r) => r.state === "completed").length;
  return { rows: rows.length, completed, failed: rows.length - completed, superseded: all.length - rows.length, out };
}
