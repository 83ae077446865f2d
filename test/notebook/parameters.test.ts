// The parameters convention: defaults declared with `let` in the cell tagged "parameters", re-assigned after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sourceText } from "../../src/notebook/nbformat.js";
import { declaredParameters, injectParameters, literal } from "../../src/notebook/parameters.js";
import { code, markdown, notebook } from "./notebooks.js";

const defaults = code("let batchSize: number = 8;\nlet model = 'tiny'; const seed = 1;", ["parameters"]);

test("injected parameters become assignments in a tagged cell right after the parameters cell", () => {
  const nb = notebook([markdown("# T"), defaults, code("run();")]);
  const out = injectParameters(nb, { batchSize: 16, model: "big" }, "t.ipynb");
  assert.equal(out.cells.length, 4);
  assert.deepEqual(out.cells[2]!.metadata.tags, ["injected-parameters"]);
  assert.equal(sourceText(out.cells[2]!.source), "// Parameters injected by wattlab's notebook runner\nbatchSize = 16;\nmodel = \"big\";");
  assert.equal(nb.cells.length, 3, "the input notebook is left as it was");
});

test("running again replaces the earlier injected cell, and no parameters inject nothing", () => {
  const once = injectParameters(notebook([defaults, code("run();")]), { batchSize: 16 }, "t.ipynb");
  const twice = injectParameters(once, { batchSize: 4 }, "t.ipynb");
  assert.equal(twice.cells.length, 3);
  assert.match(sourceText(twice.cells[1]!.source), /batchSize = 4;/);
  assert.equal(injectParameters(once, {}, "t.ipynb").cells.length, 2);
});

test("parameters that cannot be re-assigned are refused with the fix in the message", () => {
  const nb = notebook([defaults]);
  assert.throws(() => injectParameters(nb, { seed: 2 }, "t.ipynb"), /t\.ipynb: parameter "seed" is declared with const .* `let seed = …;`/);
  assert.throws(() => injectParameters(nb, { nope: 2 }, "t.ipynb"), /"nope" is not declared .* \(it declares: batchSize, model, seed\)/);
  assert.throws(() => injectParameters(notebook([code("let x = 1;")]), { x: 2 }, "t.ipynb"), /no code cell is tagged "parameters"/);
});

test("values become TypeScript literals", () => {
  assert.equal(literal({ sizes: [1, 2.5, NaN], on: true, name: 'a"b', none: null }, "p"), '{ "sizes": [1, 2.5, NaN], "on": true, "name": "a\\"b", "none": null }');
  assert.equal(literal(-Infinity, "p"), "-Infinity");
  assert.throws(() => literal(new Map(), "p"), /parameter "p": object values cannot be written/);
});

test("declaredParameters keeps only the names the parameters cell declares with let", () => {
  const nb = notebook([code("let figuresDir = \"f\";\nconst fixed = 1;", ["parameters"]), code("run();")]);
  assert.deepEqual(declaredParameters(nb, { figuresDir: "x", repetitions: 1, fixed: 2 }), { figuresDir: "x" });
  assert.deepEqual(declaredParameters(notebook([code("run();")]), { figuresDir: "x" }), {}, "no parameters cell: none");
});
