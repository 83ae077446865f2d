// The parts of nbformat 4 that wattlab reads and writes, and a writer whose output is stable for git diffs.
import { readFileSync, writeFileSync } from "node:fs";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  execution_count: number | null;
  outputs: Output[];
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

export function readNotebook(path: string): Notebook {
  let notebook: Notebook;
  try {
    notebook = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not a readable notebook (${(error as Error).message})`);
  }
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) {
    throw new Error(`${path}: nbformat ${notebook.nbformat} is not supported; wattlab reads nbformat 4 notebooks`);
  }
  return notebook;
}

/** Write as nbformat does (sorted keys, one-space indent, trailing newline), so unchanged notebooks diff empty. */
export function writeNotebook(path: string, notebook: Notebook): void {
  writeFileSync(path, formatNotebook(notebook));
}

export function formatNotebook(notebook: Notebook): string {
  return JSON.stringify(sortKeys(notebook), null, 1) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** nbformat's on-disk shape for multi-line strings: lines, each keeping its "\n". */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}
