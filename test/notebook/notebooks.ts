// Builds small nbformat 4 notebooks in temp folders for the notebook tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toLines, writeNotebook, type Cell, type Notebook } from "../../src/notebook/nbformat.js";

export function code(source: string, tags?: string[]): Cell {
  return { cell_type: "code", source: toLines(source), metadata: tags ? { tags } : {}, execution_count: null, outputs: [] };
}

export function markdown(source: string): Cell {
  return { cell_type: "markdown", source: toLines(source), metadata: {} };
}

export function notebook(cells: Cell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "wattlab", display_name: "TypeScript (wattlab)", language: "typescript" } },
    cells: cells.map((cell, i) => ({ id: `cell-${i}`, ...cell })),
  };
}

/** A temp folder holding `name` written from `cells`; `dispose` removes the folder. */
export function notebookOnDisk(cells: Cell[], name = "test.ipynb"): { dir: string; path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb-"));
  const path = join(dir, name);
  writeNotebook(path, notebook(cells));
  return { dir, path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
