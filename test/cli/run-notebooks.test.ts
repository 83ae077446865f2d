// `wattlab run` over several notebooks: a --set name one notebook does not declare is a warning for it (an error
// with --strict), and --out takes the figures folder along.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";
import { code, notebookOnDisk } from "../notebook/notebooks.js";

const bin = join(packageRoot(), "bin", "wattlab.js");
const wattlab = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 240_000 });

test("several notebooks: undeclared --set names warn per notebook, --strict refuses, figures follow --out", { timeout: 300_000 }, () => {
  const writes = notebookOnDisk([
    code('let dataset = "alpaca";\nlet figuresDir = "../results/figures";', ["parameters"]),
    code('import { writeFileSync, mkdirSync } from "node:fs";\nmkdirSync(figuresDir, { recursive: true });\nwriteFileSync(`${figuresDir}/${dataset}.txt`, dataset);'),
  ], "a.ipynb");
  const bare = notebookOnDisk([code("let other = 1;", ["parameters"]), code("console.log(other);")], "b.ipynb");
  try {
    const out = join(writes.dir, "out");
    const lenient = wattlab(["run", writes.path, bare.path, "--set", "dataset=synthetic", "--out", out, "--timeout", "120"]);
    assert.equal(lenient.status, 0, lenient.stderr);
    assert.match(lenient.stderr, /b\.ipynb does not declare dataset; it runs with its own defaults/);
    assert.doesNotMatch(lenient.stderr, /a\.ipynb does not declare/);
    assert.equal(readFileSync(join(out, "figures", "synthetic.txt"), "utf8"), "synthetic", "the figure went to OUT/figures");
    assert.ok(existsSync(join(out, "a.ipynb")) && existsSync(join(out, "b.ipynb")));

    const strict = wattlab(["run", writes.path, bare.path, "--set", "dataset=synthetic", "--out", out, "--strict", "--timeout", "120"]);
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /b\.ipynb: parameter "dataset" is not declared in the "parameters" cell/);
  } finally {
    writes.dispose();
    bare.dispose();
  }
});
