import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../../src/sweep/csv.js";
import { RECORD_COLUMNS } from "../../src/sweep/record.js";
import { exportCsv, ResultStore } from "../../src/sweep/store.js";
import { row } from "./support/rows.js";

test("CSV export: stable columns first, extra columns unioned, awkward text quoted and round-trips", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-csv-"));
  const jsonl = join(dir, "metrics.jsonl");
  const store = ResultStore.open(jsonl);
  const message = 'EP error: "MatMulNBits", not found,\nsecond line';
  store.append(row("a", "failed", { error_name: "Error", error_message: message, batch_size: 4 }));
  store.append(row("b", "completed", { batch_size: 1, energy_total_j_measured: 12.5, note_extra: "x" }));
  store.append(row("a", "completed", { batch_size: 4, energy_total_j_measured: 3 }));
  store.close();

  const csv = join(dir, "metrics.csv");
  const { rows, columns } = exportCsv(jsonl, csv);
  assert.equal(rows, 2, "one row per key: a's failed attempt is superseded");
  assert.deepEqual(columns.slice(0, RECORD_COLUMNS.length), [...RECORD_COLUMNS]);
  assert.equal(columns.at(-1), "note_extra");
  const table = parseCsv(readFileSync(csv, "utf8"));
  assert.deepEqual(table[0], columns);
  assert.equal(table.length, 3);
  const col = (name: string) => columns.indexOf(name);
  assert.deepEqual(table.slice(1).map((r) => [r[col("key")], r[col("state")], r[col("energy_total_j_measured")]]), [["a", "completed", "3"], ["b", "completed", "12.5"]]);

  exportCsv(jsonl, csv, { all: true });
  const all = parseCsv(readFileSync(csv, "utf8"));
  assert.equal(all.length, 4);
  assert.equal(all[1][col("error_message")], message, "quotes, commas and newlines survive");
  assert.deepEqual(readdirSync(dir).sort(), ["metrics.csv", "metrics.jsonl"], "no temporary file left behind");
});
