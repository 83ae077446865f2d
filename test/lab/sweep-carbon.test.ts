// The lab's sweep() (the notebooks' run cell) with the real tiny model and the real meter: the gridZone parameter
// reaches the rows it measures and the rows it reuses from the store, each labelled with how it was charged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweep } from "../../src/lab/sweep.js";
import { yearlyIntensity } from "../../src/meter/carbon.js";

const spec = {
  name: "carbon-zone", repetitions: 1, warmup_runs: 0,
  base: { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "synthetic", input_length: 8, output_length: 4, batch_size: 1 },
} as const;

test("sweep({ gridZone }): measured rows carry the zone; reused rows are charged at the new zone when read, the store untouched", { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-lab-carbon-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const saved = { zone: process.env.WATTLAB_GRID_ZONE, token: process.env.ELECTRICITYMAPS_API_TOKEN };
  delete process.env.WATTLAB_GRID_ZONE;
  delete process.env.ELECTRICITYMAPS_API_TOKEN;
  t.after(() => {
    if (saved.zone !== undefined) process.env.WATTLAB_GRID_ZONE = saved.zone;
    if (saved.token !== undefined) process.env.ELECTRICITYMAPS_API_TOKEN = saved.token;
  });
  const de = yearlyIntensity("DE")!;
  const first = await sweep({ spec, outDir: dir, idleSeconds: 0, gridZone: "DE" });
  assert.equal(first.summary.completed, 1);
  assert.equal(first.rows[0].carbon_zone, "DE");
  assert.equal(first.rows[0].carbon_intensity_g_per_kwh, de.intensityGPerKwh);
  assert.equal(first.rows[0].carbon_year, de.year);

  const fra = yearlyIntensity("FRA")!;
  const again = await sweep({ spec, outDir: dir, idleSeconds: 0, gridZone: "FRA", carbon: { pue: 1.3 } });
  assert.equal(again.summary.skipped, 1, "reused, not measured again");
  const row = again.rows[0];
  assert.equal(row.carbon_zone, "FRA");
  assert.equal(row.pue, 1.3);
  const energy = (row.energy_total_j_measured ?? row.energy_total_j_estimated) as number;
  assert.ok(Math.abs(((row.gco2eq_measured ?? row.gco2eq_estimated) as number) - (energy / 3.6e6) * fra.intensityGPerKwh * 1.3) < 1e-15);
  assert.match(String(row.carbon_source), /^tgwf-co2-yearly FRA .* × PUE 1\.3 \(charged when read; stored: tgwf-co2-yearly DE /);
  // the store still holds what was measured under DE
  const plain = await sweep({ spec, outDir: dir, idleSeconds: 0, gridZone: "DE" });
  assert.equal(plain.rows[0].carbon_source, first.rows[0].carbon_source);
});
