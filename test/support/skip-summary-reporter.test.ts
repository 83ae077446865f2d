// The summary reporter, run as `npm test` runs it (node --test with spec and this reporter on stdout) on a small
// test file in a child process: one line for tests skipped for missing fixtures, none for other skips.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./shared.js";
import { skipSummary } from "./skip-summary-reporter.js";

const support = join(repoRoot, "dist", "test", "support");

/** Runs node --test on `body` (a test file importing sharedPath) with no fixtures anywhere. */
function runTests(body: string): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-reporter-"));
  try {
    const file = join(dir, "fixture-user.test.mjs");
    writeFileSync(file, `import { test } from "node:test";\nimport { sharedPath } from ${JSON.stringify(pathToFileURL(join(support, "shared.js")).href)};\n${body}`);
    const env: NodeJS.ProcessEnv = { ...process.env, WATTLAB_SHARED: "none", WATTLAB_CACHE: join(dir, "empty-cache") };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this run instead of printing
    const result = spawnSync(process.execPath, [
      "--test", "--test-reporter=spec", "--test-reporter-destination=stdout",
      `--test-reporter=${join(support, "skip-summary-reporter.js")}`, "--test-reporter-destination=stdout", file,
    ], { env, encoding: "utf8", cwd: dir });
    return { status: result.status, stdout: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a run with tests skipped for missing fixtures ends with one line: how many, and how to get them", () => {
  const { status, stdout } = runTests(`
const stories = sharedPath("fixtures/gguf/stories260K.gguf");
const gsm8k = sharedPath("datasets/gsm8k/test.jsonl");
test("needs stories", { skip: stories.skip }, () => {});
test("needs gsm8k", { skip: gsm8k.skip }, () => {});
test("skipped for another reason", { skip: "no GPU here" }, () => {});
test("runs", () => {});
`);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /needs stories .*# fixture missing: fixtures\/gguf\/stories260K\.gguf/, "spec still prints each reason");
  const summary = stdout.split("\n").filter((l) => l.includes("skipped because fixtures are missing"));
  assert.equal(summary.length, 1, stdout);
  assert.equal(summary[0], skipSummary(2).trim());
  assert.match(summary[0], /^ℹ 2 tests skipped because fixtures are missing: get them with `npm run fixtures` .*WATTLAB_SHARED=/);
});

test("no fixture skips, no summary line", () => {
  const { status, stdout } = runTests(`
test("skipped for another reason", { skip: "no GPU here" }, () => {});
test("runs", () => {});
`);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /skipped 1/);
  assert.doesNotMatch(stdout, /fixtures are missing/);
});
