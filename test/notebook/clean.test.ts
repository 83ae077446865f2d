// Cleaning leaves only what a committed notebook should carry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cleanNotebook } from "../../src/notebook/clean.js";
import { readNotebook, writeNotebook, type CodeCell } from "../../src/notebook/nbformat.js";
import { code, markdown, notebook, notebookOnDisk } from "./notebooks.js";

test("cleanNotebook clears outputs, counts, injected parameters and metadata noise, once", async () => {
  const disk = notebookOnDisk([]);
  try {
    const executed = notebook([markdown("# T"), code("let n = 1;", ["parameters"]), code("n = 2;", ["injected-parameters"]), code("n")]);
    executed.metadata = { ...executed.metadata, language_info: { name: "typescript", version: "5.0.4" }, wattlab: { parameters: { n: 2 } }, vscode: {} };
    const last = executed.cells[3] as CodeCell;
    last.execution_count = 3;
    last.metadata = { collapsed: false, scrolled: true };
    last.outputs = [{ output_type: "execute_result", execution_count: 3, data: { "text/plain": ["2"] }, metadata: {} }];
    writeNotebook(disk.path, executed);

    assert.equal(await cleanNotebook(disk.path), true);
    const cleaned = readNotebook(disk.path);
    assert.deepEqual(cleaned.metadata, { kernelspec: executed.metadata.kernelspec, language_info: { name: "typescript" } });
    assert.deepEqual(cleaned.cells.map((c) => c.id), ["cell-0", "cell-1", "cell-3"]);
    assert.deepEqual(cleaned.cells[1]!.metadata, { tags: ["parameters"] });
    assert.deepEqual(cleaned.cells[2], { cell_type: "code", id: "cell-3", metadata: {}, source: ["n"], execution_count: null, outputs: [] });

    const bytes = readFileSync(disk.path, "utf8");
    assert.equal(await cleanNotebook(disk.path), false, "a clean notebook is left untouched");
    assert.equal(readFileSync(disk.path, "utf8"), bytes);
  } finally {
    disk.dispose();
  }
});
