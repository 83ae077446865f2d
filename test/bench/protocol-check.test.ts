// The GPU check's arithmetic: relative spread, the peak limit from a meter description, and the scan of stores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peakLimitW, peaksAbove, relativeSpread, storesUnder } from "../../bench/protocol-check.js";
import type { MeterDescription } from "../../src/meter/description.js";
import { row } from "../sweep/support/rows.js";

test("spread = (max − min) / median", () => {
  assert.ok(Math.abs(relativeSpread([1.0, 1.01, 0.99, 1.0, 1.02]) - 0.03 / 1.0) < 1e-12);
  assert.ok(Number.isNaN(relativeSpread([1])));
});

test("the peak limit is every GPU's power limit plus the CPU's TDP; unknown without limits", () => {
  const d = (limits: (number | null)[], tdpW: number | null) => ({
    gpu: { devices: limits.map((powerLimitW, index) => ({ index, powerLimitW })) }, cpu: { tdpW },
  }) as unknown as MeterDescription;
  assert.equal(peakLimitW(d([700], 350)), 1050);
  assert.equal(peakLimitW(d([700, 700], null)), 1400);
  assert.equal(peakLimitW(d([700, null], 350)), null);
  assert.equal(peakLimitW(d([], 350)), null);
});

test("every stored attempt with a peak above the limit is found, in nested stores", () => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-peaks-"));
  mkdirSync(join(root, "a", "b"), { recursive: true });
  appendFileSync(join(root, "a", "metrics.jsonl"), JSON.stringify(row("k1", "completed", { peak_power_w_measured: 690 })) + "\n");
  appendFileSync(join(root, "a", "b", "metrics.shard-0-of-2.jsonl"), JSON.stringify(row("k2", "completed", { peak_power_w_estimated: 3445 })) + "\n" +
    JSON.stringify(row("k3", "completed", { peak_power_w_measured: null })) + "\n");
  const files = storesUnder(root);
  assert.equal(files.length, 2);
  assert.deepEqual(peaksAbove(files, 1050).map((v) => [v.key, v.peakW]), [["k2", 3445]]);
});
