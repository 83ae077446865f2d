// A real kernel over real ZeroMQ: outputs land in the cells, a thrown Error is named, later cells do not run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readNotebook, sourceText, type CodeCell } from "../../src/notebook/nbformat.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { code, markdown, notebookOnDisk } from "./notebooks.js";

test("runNotebook records stream, display and result outputs, names a thrown Error and stops there", async () => {
  const nb = notebookOnDisk([
    markdown("# A failing notebook"),
    code('console.log("hello from the kernel");\nconsole.error("a warning");'),
    code('import * as tslab from "tslab";\ntslab.display.html("<b>bold</b>");\n6 * 7'),
    code('function explode(): never {\n  throw new Error("boom");\n}\nexplode();'),
    code('console.log("must not run");'),
  ]);
  try {
    const result = await runNotebook(nb.path, { timeoutS: 60 });
    assert.equal(result.ok, false);
    assert.deepEqual(result.failedCell, { index: 3, ename: "Error", evalue: "boom" });
    assert.deepEqual(result.cells.map((c) => [c.index, c.executionCount, c.state]), [[1, 1, "ok"], [2, 2, "ok"], [3, 3, "error"]]);

    const cells = readNotebook(result.outputPath).cells as CodeCell[];
    const [, printed, displayed, failed, skipped] = cells;
    assert.deepEqual(printed!.outputs.map((o) => o.output_type === "stream" && [o.name, sourceText(o.text)]), [
      ["stdout", "hello from the kernel\n"],
      ["stderr", "a warning\n"],
    ]);
    assert.deepEqual(displayed!.outputs.map((o) => o.output_type), ["display_data", "execute_result"]);
    assert.deepEqual(displayed!.outputs[0], { output_type: "display_data", data: { "text/html": ["<b>bold</b>"] }, metadata: {} });
    assert.deepEqual(displayed!.outputs[1], { output_type: "execute_result", execution_count: 2, data: { "text/plain": ["42"] }, metadata: {} });
    const error = failed!.outputs.find((o) => o.output_type === "error");
    assert.ok(error && error.output_type === "error");
    assert.equal(error.ename, "Error");
    assert.equal(error.evalue, "boom");
    assert.match(error.traceback.join("\n"), /at explode/);
    assert.equal(failed!.execution_count, 3);
    assert.equal(skipped!.execution_count, null);
    assert.deepEqual(skipped!.outputs, []);
  } finally {
    nb.dispose();
  }
});
