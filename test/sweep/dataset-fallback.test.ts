import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const temp = (name: string) => mkdtempSync(join(tmpdir(), `wattlab-${name}-`));
/** Dataset options that can find nothing: no folders, an empty cache, no download. */
const nowhere = () => ({ localFolders: [], cacheDir: temp("cache"), download: false, env: {} });
const spec = (extra: Record<string, unknown>) => parseSpec({
  ...smallSpecJson(1), mode: "one-at-a-time", dimensions: { dataset: ["alpaca", "gsm8k"] }, base: { ...(smallSpecJson().base as object), dataset: "alpaca" }, ...extra,
});

test("with fallback, missing alpaca/gsm8k run as their look-alikes and every row says which ran", async () => {
  const dir = temp("fallback");
  const wired = standInDeps();
  const notes: string[] = [];
  const summary = await runSweep(spec({ dataset_fallback: true }), { ...wired.deps, datasets: nowhere() }, {
    outDir: dir, progress: false, warn: (w) => notes.push(w.message),
  });
  assert.deepEqual({ completed: summary.completed, failed: summary.failed }, { completed: 2, failed: 0 });
  const { rows } = readResults(join(dir, "metrics.jsonl"));
  const used = Object.fromEntries(rows.map((r) => [r.dataset_requested, r.dataset_used]));
  assert.deepEqual(used, { alpaca: "synthetic-instruct", gsm8k: "synthetic-math" });
  assert.ok(rows.every((r) => r.dataset === r.dataset_requested && /not found/.test(String(r.dataset_note))));
  assert.equal(notes.filter((n) => /→ synthetic-/.test(n)).length, 2, "said once per dataset");

  // the real file appearing later is measured, not mistaken for the look-alike's rows
  const data = temp("data");
  mkdirSync(join(data, "alpaca"));
  writeFileSync(join(data, "alpaca", "alpaca_data.json"), JSON.stringify([{ instruction: "Name three rivers of Europe.", input: "", output: "" }]));
  const again = await runSweep(spec({ dataset_fallback: true }), { ...wired.deps, datasets: { ...nowhere(), dataDir: data } }, { outDir: dir, progress: false, warn: () => {} });
  assert.deepEqual({ completed: again.completed, skipped: again.skipped }, { completed: 1, skipped: 1 });
  const alpacaRows = readResults(join(dir, "metrics.jsonl")).rows.filter((r) => r.dataset === "alpaca");
  assert.deepEqual(alpacaRows.map((r) => r.dataset_used).sort(), ["alpaca", "synthetic-instruct"]);
});

test("without fallback, a missing dataset fails its runs with the fix and the sweep goes on", async () => {
  const dir = temp("strict");
  const wired = standInDeps();
  const summary = await runSweep(spec({ dataset_fallback: false, dimensions: { dataset: ["alpaca", "synthetic"] } }), { ...wired.deps, datasets: nowhere() }, {
    outDir: dir, progress: false, warn: () => {},
  });
  assert.deepEqual({ completed: summary.completed, failed: summary.failed }, { completed: 1, failed: 1 });
  const failed = readResults(join(dir, "metrics.jsonl")).rows.find((r) => r.state === "failed")!;
  assert.equal(failed.dataset, "alpaca");
  assert.equal(failed.error_name, "DatasetNotFoundError");
  assert.match(String(failed.error_message), /Fix: put alpaca_data\.json at .*data\/alpaca\/alpaca_data\.json, or set WATTLAB_DATA_DIR/);
  assert.doesNotMatch(String(failed.error_message), /\n/, "one line");
});
