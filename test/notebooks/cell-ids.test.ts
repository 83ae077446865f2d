// nbformat 4.5: every cell carries a unique id (nbconvert warns, and will refuse, without them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

const dir = join(packageRoot(), "notebooks");

test("every committed notebook is nbformat ≥ 4.5 with unique cell ids", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const nb = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nbformat: number; nbformat_minor: number; cells: { id?: string }[] };
    assert.ok(nb.nbformat > 4 || (nb.nbformat === 4 && nb.nbformat_minor >= 5), `${file}: nbformat ${nb.nbformat}.${nb.nbformat_minor}`);
    const ids = nb.cells.map((c) => c.id);
    assert.ok(ids.every((id) => typeof id === "string" && /^[a-zA-Z0-9-_]{1,64}$/.test(id)), `${file}: a cell has no valid id`);
    assert.equal(new Set(ids).size, ids.length, `${file}: cell ids repeat`);
  }
});
