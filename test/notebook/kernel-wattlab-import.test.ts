// Notebooks import the library by its name, from any folder: `import { … } from "wattlab"` type-checks and runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readNotebook, sourceText, type CodeCell } from "../../src/notebook/nbformat.js";
import { packageRoot } from "../../src/notebook/paths.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { code, notebookOnDisk } from "./notebooks.js";

const entry = join(packageRoot(), "dist", "src", "index.js");
const skip = existsSync(entry) ? false : `${entry} is missing: run npm run build (npm test does) to check imports of "wattlab"`;

test("a notebook outside the repo imports wattlab by name; its types are checked", { skip }, async () => {
  const nb = notebookOnDisk([
    code('import * as wattlab from "wattlab";\nconst names: string[] = Object.keys(wattlab);\nconsole.log(names.length > 0);'),
    code('import { showTable } from "wattlab";\nshowTable([{ model: "tiny", energyJ: 1.5 }]);'),
    code('import { showTable } from "wattlab";\nshowTable(42);'),
  ]);
  try {
    const result = await runNotebook(nb.path, { timeoutS: 120 });
    const cells = readNotebook(result.outputPath).cells as CodeCell[];
    assert.deepEqual(cells[0]!.outputs.map((o) => o.output_type === "stream" && sourceText(o.text)), ["true\n"]);
    assert.deepEqual(cells[1]!.outputs.map((o) => o.output_type), ["display_data"]);
    assert.equal(result.failedCell?.index, 2, "showTable(42) must fail the type check against wattlab's declarations");
    assert.equal(result.failedCell?.ename, "TSError");
  } finally {
    nb.dispose();
  }
});
