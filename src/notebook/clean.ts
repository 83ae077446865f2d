// Strips what running a notebook adds, so committed notebooks diff only where their content changed:
// outputs, execution counts, injected parameters, and metadata other than the kernelspec and the language name.
import { readFileSync } from "node:fs";
import { formatNotebook, hasTag, readNotebook, sourceText, toLines, writeNotebook, type Cell, type Notebook } from "./nbformat.js";
import { injectedParametersTag } from "./parameters.js";

export interface CleanOptions {
  /** Keep outputs (their execution counts still go); for notebooks whose outputs teach. */
  keepOutputs?: boolean;
}

export function cleanNotebookContent(notebook: Notebook, options: CleanOptions = {}): Notebook {
  const metadata: Record<string, unknown> = {};
  if (notebook.metadata.kernelspec) metadata.kernelspec = notebook.metadata.kernelspec;
  const language = (notebook.metadata.language_info as { name?: string } | undefined)?.name;
  if (language) metadata.language_info = { name: language };
  const cells = notebook.cells.filter((cell) => !hasTag(cell, injectedParametersTag)).map((cell) => cleanCell(cell, options));
  return { nbformat: notebook.nbformat, nbformat_minor: notebook.nbformat_minor, metadata, cells };
}

function cleanCell(cell: Cell, options: CleanOptions): Cell {
  const tags = cell.metadata?.tags;
  const metadata = Array.isArray(tags) && tags.length > 0 ? { tags } : {};
  const base = { ...(cell.id ? { id: cell.id } : {}), metadata, source: toLines(sourceText(cell.source)) };
  if (cell.cell_type !== "code") return { ...base, cell_type: cell.cell_type, ...(cell.attachments ? { attachments: cell.attachments } : {}) };
  const outputs = options.keepOutputs
    ? cell.outputs.map((output) => (output.output_type === "execute_result" ? { ...output, execution_count: null } : output))
    : [];
  return { ...base, cell_type: "code", execution_count: null, outputs };
}

/** Clean the notebook at `path` in place; true when the file changed. */
export async function cleanNotebook(path: string, options: CleanOptions = {}): Promise<boolean> {
  const cleaned = cleanNotebookContent(readNotebook(path), options);
  if (formatNotebook(cleaned) === readFileSync(path, "utf8")) return false;
  writeNotebook(path, cleaned);
  return true;
}
