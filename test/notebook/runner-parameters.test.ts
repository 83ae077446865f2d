// Parameters reach the kernel through the injected cell, and keep the types the parameters cell declared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readNotebook, sourceText, type CodeCell } from "../../src/notebook/nbformat.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { code, notebookOnDisk } from "./notebooks.js";

const cells = [
  code('let batchSize: number = 8;\nlet model = "tiny";', ["parameters"]),
  code("console.log(JSON.stringify({ batchSize, model }));"),
];

test("runNotebook injects parameters after the parameters cell and they override the defaults", async () => {
  const nb = notebookOnDisk(cells);
  try {
    const result = await runNotebook(nb.path, { parameters: { batchSize: 32 }, timeoutS: 60 });
    assert.equal(result.ok, true, JSON.stringify(result.failedCell));
    const executed = readNotebook(result.outputPath);
    const [, injected, printed] = executed.cells as CodeCell[];
    assert.deepEqual(injected!.metadata.tags, ["injected-parameters"]);
    assert.match(sourceText(injected!.source), /^batchSize = 32;$/m);
    assert.deepEqual(printed!.outputs.map((o) => o.output_type === "stream" && sourceText(o.text)), ['{"batchSize":32,"model":"tiny"}\n']);
    assert.deepEqual((executed.metadata.wattlab as { parameters: unknown }).parameters, { batchSize: 32 });
  } finally {
    nb.dispose();
  }
});

test("a parameter of the wrong type fails the type check in the injected cell", async () => {
  const nb = notebookOnDisk(cells);
  try {
    const result = await runNotebook(nb.path, { parameters: { batchSize: "many" }, timeoutS: 60 });
    assert.equal(result.ok, false);
    assert.equal(result.failedCell?.index, 1);
    assert.equal(result.failedCell?.ename, "TSError");
    assert.match(result.failedCell!.evalue, /'string' is not assignable to type 'number'/);
  } finally {
    nb.dispose();
  }
});
