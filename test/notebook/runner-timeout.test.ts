// A cell past its time limit is interrupted with SIGINT, reported, and the cells after it do not run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readNotebook, type CodeCell } from "../../src/notebook/nbformat.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { code, notebookOnDisk } from "./notebooks.js";

test("runNotebook interrupts a busy cell at its timeout and stops the run", async () => {
  const nb = notebookOnDisk([code('console.log("before");'), code("while (true) {}"), code('console.log("after");')]);
  try {
    const result = await runNotebook(nb.path, { timeoutS: 3 });
    assert.equal(result.ok, false);
    assert.equal(result.failedCell?.index, 1);
    assert.equal(result.failedCell?.ename, "CellTimeoutError");
    assert.match(result.failedCell!.evalue, /3 s limit/);
    assert.deepEqual(result.cells.map((c) => c.state), ["ok", "timeout"]);

    const cells = readNotebook(result.outputPath).cells as CodeCell[];
    assert.deepEqual(cells[1]!.outputs.map((o) => o.output_type === "error" && o.ename), ["CellTimeoutError"]);
    assert.deepEqual(cells[2]!.outputs, []);
  } finally {
    nb.dispose();
  }
});
