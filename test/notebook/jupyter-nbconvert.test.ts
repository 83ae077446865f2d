// Real Jupyter (nbconvert → nbclient → jupyter_client) drives wattlab's kernel through the project kernelspec.
// CI runs notebooks the same way: JUPYTER_PATH=<repo>/.jupyter jupyter nbconvert --to notebook --execute
//   --ExecutePreprocessor.kernel_name=wattlab <notebook>
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readNotebook, sourceText, type CodeCell } from "../../src/notebook/nbformat.js";
import { builtKernelMain, kernelCommand, packageRoot } from "../../src/notebook/paths.js";
import { code, notebookOnDisk } from "./notebooks.js";

const nbconvert = spawnSync("jupyter-nbconvert", ["--version"], { encoding: "utf8" });
const skip = nbconvert.status === 0 ? false : "jupyter-nbconvert is not installed (apt: jupyter-nbconvert python3-nbclient jupyter-client)";

/** The committed kernelspec where the launcher is built; otherwise one in `dir` that runs it from sources (tsx). */
function jupyterPath(dir: string): { path: string; which: string } {
  if (existsSync(builtKernelMain())) return { path: join(packageRoot(), ".jupyter"), which: "the committed .jupyter kernelspec" };
  const specDir = join(dir, "jupyter", "kernels", "wattlab");
  mkdirSync(specDir, { recursive: true });
  const spec = { argv: [...kernelCommand(), "--config-path", "{connection_file}"], display_name: "wattlab (sources)", language: "typescript" };
  writeFileSync(join(specDir, "kernel.json"), JSON.stringify(spec));
  return { path: join(dir, "jupyter"), which: "a temporary kernelspec running the sources (dist is not built)" };
}

test("jupyter nbconvert --execute runs a notebook on the wattlab kernel and records its error", { skip }, (t) => {
  const nb = notebookOnDisk([
    code('console.log("hi from nbconvert");'),
    code("const o = { x: 1 };\nconsole.log(JSON.stringify({ o }));"),
    code('throw new RangeError("boom");'),
  ]);
  try {
    const spec = jupyterPath(nb.dir);
    t.diagnostic(`using ${spec.which}`);
    const run = spawnSync(
      "jupyter-nbconvert",
      ["--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.kernel_name=wattlab", "--ExecutePreprocessor.timeout=120", "--output", "out.ipynb", nb.path],
      { cwd: nb.dir, env: { ...process.env, JUPYTER_PATH: spec.path }, encoding: "utf8", timeout: 240_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const cells = readNotebook(join(nb.dir, "out.ipynb")).cells as CodeCell[];
    const text = (cell: CodeCell) => cell.outputs.map((o) => (o.output_type === "stream" ? sourceText(o.text) : o.output_type)).join("");
    assert.equal(text(cells[0]!), "hi from nbconvert\n");
    assert.equal(text(cells[1]!), '{"o":{"x":1}}\n');
    const error = cells[2]!.outputs[0];
    assert.ok(error?.output_type === "error", JSON.stringify(cells[2]!.outputs));
    assert.equal(error.ename, "RangeError");
    assert.equal(error.evalue, "boom");
    assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3]);
  } finally {
    nb.dispose();
  }
});
