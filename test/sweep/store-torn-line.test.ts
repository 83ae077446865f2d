import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultStore, type StoreWarning } from "../../src/sweep/store.js";
import { row } from "./support/rows.js";

test("a torn last line is reported with file and line, ignored, and the next row starts on its own line", () => {
  const file = join(mkdtempSync(join(tmpdir(), "wattlab-store-")), "metrics.jsonl");
  const first = ResultStore.open(file, { onWarning: () => assert.fail("no warning on a fresh file") });
  first.append(row("a"));
  first.append(row("b"));
  first.close();
  // a power cut in the middle of writing row c
  const full = JSON.stringify(row("c")) + "\n";
  appendFileSync(file, full.slice(0, full.length / 2));

  const warnings: StoreWarning[] = [];
  const store = ResultStore.open(file, { onWarning: (w) => warnings.push(w) });
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].file, file);
  assert.equal(warnings[0].line, 3);
  assert.match(warnings[0].message, /torn/);
  assert.deepEqual([...store.completedKeys()].sort(), ["a", "b"]);

  store.append(row("c"));
  store.close();
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines.at(-1), "", "the file ends with a newline");
  assert.equal(lines.length, 5, "a, b, torn c, c, trailing empty");
  assert.equal(JSON.parse(lines[3]).key, "c", "the new row is a whole line of its own");

  // reopened: the old torn line is now a bad middle line (warned again), c is completed exactly once
  const again: StoreWarning[] = [];
  const reopened = ResultStore.open(file, { onWarning: (w) => again.push(w) });
  assert.deepEqual(again.map((w) => w.line), [3]);
  assert.match(again[0].message, /not valid JSON/);
  assert.deepEqual([...reopened.completedKeys()].sort(), ["a", "b", "c"]);
  assert.equal(reopened.records().filter((r) => r.key === "c").length, 1);
});

test("completed beats failed for a key; failed keys are those never completed", () => {
  const file = join(mkdtempSync(join(tmpdir(), "wattlab-store-")), "metrics.jsonl");
  const store = ResultStore.open(file);
  store.append(row("x", "failed", { error_name: "OutOfMemoryError" }));
  store.append(row("y", "failed"));
  store.append(row("x", "completed", { energy_total_j_measured: 1 }));
  store.append(row("x", "failed"));
  store.append(row("z", "completed", { energy_total_j_measured: 1 }));
  store.append(row("z", "completed", { energy_total_j_measured: 2 }));
  store.close();
  const reopened = ResultStore.open(file);
  assert.deepEqual([...reopened.completedKeys()].sort(), ["x", "z"]);
  assert.deepEqual([...reopened.failedKeys()], ["y"]);
  const latest = reopened.latest();
  assert.deepEqual(latest.map((r) => `${r.key}:${r.state}`), ["x:completed", "y:failed", "z:completed"]);
  assert.equal(latest.find((r) => r.key === "z")!.energy_total_j_measured, 2, "a later completed row (forced rerun) wins");
});

test("lines that are JSON but not rows are warned about and skipped", () => {
  const file = join(mkdtempSync(join(tmpdir(), "wattlab-store-")), "metrics.jsonl");
  appendFileSync(file, '{"hello": 1}\n\n' + JSON.stringify(row("k")) + "\n");
  const warnings: StoreWarning[] = [];
  const store = ResultStore.open(file, { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings.map((w) => w.line), [1]);
  assert.deepEqual([...store.completedKeys()], ["k"]);
});
