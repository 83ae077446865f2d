// The README's "Use it as a library" example runs as written, against the built package, from a project of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readResults } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";

/** The first ```js block under the README heading `heading`. */
function exampleUnder(heading: string): string {
  const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README has no "## ${heading}" section`);
  const section = readme.slice(start + 1).split(/\n## /)[0];
  const block = /```js\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, `no js block under "## ${heading}"`);
  return block[1];
}

test("the README's library example runs against dist and prints what it says", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-readme-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(packageRoot(), join(dir, "node_modules", "wattlab"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "example", private: true, type: "module" }));
  writeFileSync(join(dir, "example.js"), exampleUnder("Use it as a library"));
  const r = spawnSync(process.execPath, ["example.js"], {
    cwd: dir, encoding: "utf8", timeout: 300_000, env: { ...process.env, WATTLAB_MODELS_DIR: join(dir, "models") },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /^work: \d+\.\d\d J in \d+\.\d\d s \(cpu (counter|integrated|estimated)\)$/);
  assert.match(lines[1], /^generation: 16 tokens, \d+\.\d{4} J per output token \(onnxruntime, cpu\), from \d+ generations back to back in [\d.]+ s \(\d+ counter updates\), then \d+ prefills in a window of their own$/);
  const rows = readResults(join(dir, "results", "library-example", "metrics.jsonl")).rows;
  assert.equal(lines.length, 2 + rows.length);
  assert.ok(rows.length > 0 && rows.every((row) => row.state === "completed"));
  for (const [i, row] of rows.entries()) assert.match(lines[2 + i], new RegExp(`^batch ${row.batch_size}: \\d+\\.\\d{4} J per output token$`));
});
