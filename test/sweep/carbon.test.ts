// One carbon setting reaching every sweep row: zone, PUE and source set once (flags > environment > spec), live
// Electricity Maps figures per run with a per-zone cache, a labelled yearly fallback with one warning, the token in no
// file, and embodied carbon only when asked for. Electricity Maps is stood in for by a local HTTP server speaking its
// v3 paths and auth-token header.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { averageIntensity } from "@tgwf/co2/data";
import { intensityHistory } from "../../src/meter/carbon.js";
import { yearlyIntensity } from "../../src/meter/index.js";
import {
  carbonSettingFromEnv, carbonSettingFromJson, chargeRow, embodiedCarbon, GridCarbon, isLive, mergeCarbonSettings, worldIntensityGPerKwh,
} from "../../src/sweep/carbon.js";
import { WORLD_INTENSITY_G_PER_KWH } from "../../src/sweep/record-carbon.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec, specToJson, SweepSpecError } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const TOKEN = "em-test-token-5f1c2a";
const out = () => mkdtempSync(join(tmpdir(), "wattlab-carbon-"));

interface StandIn { url: string; server: Server; requests: { path: string; token: string | undefined }[]; close(): Promise<void> }

/** Electricity Maps v3 as far as wattlab uses it: latest and history per zone, auth-token required, 404 for an unknown zone. */
async function electricityMapsStandIn(values: Record<string, number[]>): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  const served = new Map<string, number>();
  const server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const token = request.headers["auth-token"] as string | undefined;
    requests.push({ path: `${url.pathname}${url.search}`, token });
    response.setHeader("content-type", "application/json");
    const zone = url.searchParams.get("zone") ?? "";
    if (token !== TOKEN) { response.statusCode = 401; response.end(JSON.stringify({ error: "Unauthorized" })); return; }
    if (!(zone in values)) { response.statusCode = 404; response.end(JSON.stringify({ error: `Zone '${zone}' does not exist.` })); return; }
    if (url.pathname === "/v3/carbon-intensity/latest") {
      const n = served.get(zone) ?? 0;
      served.set(zone, n + 1);
      const hour = new Date(Date.UTC(2026, 11, 6, n % 24)).toISOString();
      response.end(JSON.stringify({ zone, carbonIntensity: values[zone][n % values[zone].length], datetime: hour, updatedAt: hour, emissionFactorType: "lifecycle", isEstimated: false }));
    } else if (url.pathname === "/v3/carbon-intensity/history") {
      // newest first, as a check that the client sorts
      const history = values[zone].map((v, i) => ({ zone, carbonIntensity: v, datetime: new Date(Date.UTC(2026, 11, 5, i)).toISOString() })).reverse();
      response.end(JSON.stringify({ zone, history }));
    } else {
      response.statusCode = 404;
      response.end(JSON.stringify({ error: "not found" }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  return { url, server, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test("the fixed WORLD figure is @tgwf/co2's, not a retyped number", () => {
  assert.equal(worldIntensityGPerKwh(), averageIntensity.data.WORLD);
  assert.equal(WORLD_INTENSITY_G_PER_KWH, averageIntensity.data.WORLD);
});

test("a sweep with a zone and a token stores the live intensity and the hour it applies to in every row; the token is in no file", async () => {
  const em = await electricityMapsStandIn({ DE: [301, 280, 265, 250, 240, 230, 220, 210] });
  try {
    const dir = out();
    const warnings: string[] = [];
    const spec = parseSpec({ ...smallSpecJson(1), carbon: { zone: "FR", pue: 1.25, cache_s: 0 } });
    const env = { ELECTRICITYMAPS_API_TOKEN: TOKEN, WATTLAB_GRID_ZONE: "DE", WATTLAB_ELECTRICITYMAPS_URL: em.url };
    const summary = await runSweep(spec, standInDeps().deps, { outDir: dir, progress: false, env, warn: (w) => warnings.push(w.message) });
    assert.equal(summary.completed, 4);
    assert.deepEqual(warnings, []);
    // cache_s 0: one lookup per run, of the environment's zone (it wins over the spec's), with the token in its header only
    assert.equal(em.requests.length, 4);
    for (const r of em.requests) {
      assert.equal(r.path, "/v3/carbon-intensity/latest?zone=DE");
      assert.equal(r.token, TOKEN);
    }
    const { rows } = readResults(join(dir, "metrics.jsonl"));
    assert.equal(rows.length, 4);
    rows.forEach((row, i) => {
      const hour = new Date(Date.UTC(2026, 11, 6, i)).toISOString();
      assert.equal(row.carbon_intensity_g_per_kwh, [301, 280, 265, 250][i], "each run its own live figure");
      assert.equal(row.carbon_zone, "DE");
      assert.equal(row.carbon_datetime, hour);
      assert.equal(row.carbon_year, null);
      assert.equal(row.pue, 1.25, "the spec's PUE, which nothing overrode");
      assert.equal(row.carbon_source, `electricitymaps DE ${hour}, ${row.carbon_intensity_g_per_kwh} g/kWh × PUE 1.25`);
      const energy = (row.energy_total_j_measured ?? row.energy_total_j_estimated) as number;
      const g = (row.gco2eq_measured ?? row.gco2eq_estimated) as number;
      assert.ok(Math.abs(g - (energy / 3.6e6) * (row.carbon_intensity_g_per_kwh as number) * 1.25) < 1e-12);
      assert.equal(row.gco2eq_embodied_estimated, null, "no embodied figure unless asked for");
      assert.equal(row.embodied_source, null);
    });
    assert.match(summary.carbon?.source ?? "", /^electricitymaps DE/);
    for (const file of filesUnder(dir)) assert.ok(!readFileSync(file, "utf8").includes(TOKEN), `${file} holds no token`);
    // the spec written beside the rows keeps the carbon setting it was given
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "spec.json"), "utf8")).carbon, { zone: "FR", pue: 1.25, cache_s: 0 });
  } finally {
    await em.close();
  }
});

test("live figures are cached per zone for the configured interval", async () => {
  const em = await electricityMapsStandIn({ DE: [300, 200, 100], FR: [50] });
  try {
    let now = 0;
    const env = { ELECTRICITYMAPS_API_TOKEN: TOKEN };
    const de = new GridCarbon({ zone: "DE", cacheS: 60, electricityMapsUrl: em.url }, { env, now: () => now });
    assert.equal((await de.intensity()).intensityGPerKwh, 300);
    now = 59_000;
    assert.equal((await de.intensity()).intensityGPerKwh, 300, "within 60 s: the cached figure");
    now = 60_000;
    assert.equal((await de.intensity()).intensityGPerKwh, 200, "after 60 s: asked again");
    const fr = new GridCarbon({ zone: "FR", cacheS: 60, electricityMapsUrl: em.url }, { env, now: () => now });
    assert.equal((await fr.intensity()).intensityGPerKwh, 50);
    assert.deepEqual(em.requests.map((r) => r.path), [
      "/v3/carbon-intensity/latest?zone=DE", "/v3/carbon-intensity/latest?zone=DE", "/v3/carbon-intensity/latest?zone=FR",
    ]);
  } finally {
    await em.close();
  }
});

test("with the stand-in down the rows carry the yearly figure, labelled, after exactly one warning", async () => {
  const em = await electricityMapsStandIn({ DE: [300] });
  await em.close(); // nothing listens there now: connection refused
  const dir = out();
  const warnings: string[] = [];
  const env = { ELECTRICITYMAPS_API_TOKEN: TOKEN, WATTLAB_ELECTRICITYMAPS_URL: em.url };
  const summary = await runSweep(parseSpec(smallSpecJson(1)), standInDeps().deps, {
    outDir: dir, progress: false, env, warn: (w) => warnings.push(w.message), carbon: { zone: "DE", cacheS: 0 },
  });
  assert.equal(summary.completed, 4, "a failed lookup never fails a run");
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /Electricity Maps lookup for zone "DE" failed .*offline yearly average/);
  assert.ok(!warnings[0].includes(TOKEN));
  const yearly = yearlyIntensity("DE")!;
  for (const row of readResults(join(dir, "metrics.jsonl")).rows) {
    assert.equal(row.carbon_intensity_g_per_kwh, yearly.intensityGPerKwh);
    assert.equal(row.carbon_zone, "DE");
    assert.equal(row.carbon_year, yearly.year);
    assert.equal(row.carbon_datetime, null);
    assert.match(String(row.carbon_source), /^tgwf-co2-yearly DE \d{4}, .* \[fallback: Electricity Maps lookup failed/);
  }
  for (const file of filesUnder(dir)) assert.ok(!readFileSync(file, "utf8").includes(TOKEN), `${file} holds no token`);
});

test("an unknown zone is one warning and the WORLD figure, labelled; with the live API it is a 404 first", async () => {
  const em = await electricityMapsStandIn({ DE: [300] });
  try {
    const warnings: string[] = [];
    const grid = new GridCarbon({ zone: "ATLANTIS", cacheS: 0, electricityMapsUrl: em.url }, { env: { ELECTRICITYMAPS_API_TOKEN: TOKEN }, warn: (m) => warnings.push(m) });
    const first = await grid.intensity();
    await grid.intensity();
    assert.equal(first.intensityGPerKwh, averageIntensity.data.WORLD);
    assert.equal(first.zone, "WORLD");
    assert.match(String(first.fallback), /HTTP 404.*zone "ATLANTIS" unknown to @tgwf\/co2/);
    assert.equal(warnings.length, 2, "one for the lookup, one for the zone, each once over two runs");
    assert.match(warnings[1], /no yearly grid intensity for zone "ATLANTIS".*FRA/);
  } finally {
    await em.close();
  }
});

test("WATTLAB_GRID_ZONE=FRA without a token: France's yearly figure in every row; flags beat the environment, which beats the spec", async () => {
  const dir = out();
  const spec = parseSpec({ ...smallSpecJson(1), carbon: { zone: "DE", pue: 1.5 } });
  await runSweep(spec, standInDeps().deps, { outDir: dir, progress: false, env: { WATTLAB_GRID_ZONE: "FRA" } });
  const fra = yearlyIntensity("FRA")!;
  for (const row of readResults(join(dir, "metrics.jsonl")).rows) {
    assert.equal(row.carbon_zone, "FRA");
    assert.equal(row.carbon_intensity_g_per_kwh, fra.intensityGPerKwh);
    assert.equal(row.pue, 1.5);
    assert.equal(row.carbon_source, `tgwf-co2-yearly FRA (Ember yearly average via @tgwf/co2), ${fra.intensityGPerKwh} g/kWh × PUE 1.5`);
  }
  const flagged = out();
  await runSweep(spec, standInDeps().deps, { outDir: flagged, progress: false, env: { WATTLAB_GRID_ZONE: "FRA" }, carbon: { intensityGPerKwh: 123, pue: 1.1 } });
  for (const row of readResults(join(flagged, "metrics.jsonl")).rows) {
    assert.equal(row.carbon_intensity_g_per_kwh, 123);
    assert.equal(row.pue, 1.1);
    assert.match(String(row.carbon_source), /^fixed FRA, 123 g\/kWh × PUE 1\.1$/);
  }
  assert.deepEqual(mergeCarbonSettings({ zone: "DE", pue: 1.5 }, { zone: "FRA" }, { pue: 1.1 }), { zone: "FRA", pue: 1.1 });
});

test("embodied carbon: a separate estimated column charged by the run's seconds, only when asked for", async () => {
  const dir = out();
  const carbon = { embodiedKgCo2e: 150, lifetimeYears: 4, utilisation: 0.5 };
  await runSweep(parseSpec(smallSpecJson(1)), standInDeps().deps, { outDir: dir, progress: false, env: {}, carbon });
  const yearS = 365.25 * 24 * 3600;
  for (const row of readResults(join(dir, "metrics.jsonl")).rows) {
    const seconds = row.energy_window_s as number;
    assert.ok(seconds > 0);
    assert.ok(Math.abs((row.gco2eq_embodied_estimated as number) - (150_000 * seconds) / (4 * yearS * 0.5)) < 1e-15);
    assert.match(String(row.embodied_source), /^estimated: user figure 150 kgCO2e over 4 years at 50% utilisation/);
    // operational carbon stays as it was: never added to
    const energy = (row.energy_total_j_measured ?? row.energy_total_j_estimated) as number;
    assert.ok(Math.abs(((row.gco2eq_measured ?? row.gco2eq_estimated) as number) - (energy / 3.6e6) * averageIntensity.data.WORLD) < 1e-12);
  }
  assert.equal(embodiedCarbon({}, 10), null);
  assert.throws(() => new GridCarbon({ embodiedKgCo2e: 150 }), /needs the hardware's service life: give --lifetime-years \(WATTLAB_LIFETIME_YEARS, carbon\.lifetime_years\)/);
  assert.throws(() => new GridCarbon({ utilisation: 0.5 }), /needs the embodied figure too: give --embodied-kgco2e/);
});

test("bad settings are one line naming the variable, field or value and the fix", () => {
  assert.throws(() => carbonSettingFromEnv({ WATTLAB_PUE: "high" }), /^CarbonSettingError: WATTLAB_PUE="high" is not a number: set e\.g\. WATTLAB_PUE=1\.2/);
  assert.throws(() => carbonSettingFromEnv({ WATTLAB_PUE: "0.9" }), /WATTLAB_PUE = 0\.9 must be ≥ 1/);
  assert.throws(() => carbonSettingFromJson({ zone: "FR", intensity: 50 }), /carbon\.intensity is not a carbon field: use zone, pue, intensity_g_per_kwh/);
  assert.throws(() => carbonSettingFromJson({ utilisation: 2 }), /carbon\.utilisation = 2 must be in \(0, 1\]/);
  assert.throws(() => parseSpec({ ...smallSpecJson(1), carbon: { pue: "1.2" } }), (e: unknown) => e instanceof SweepSpecError && /carbon\.pue must be a number/.test(e.message));
  assert.deepEqual(carbonSettingFromEnv({ WATTLAB_GRID_ZONE: "FR", WATTLAB_PUE: "1.3", WATTLAB_CARBON_SOURCE: "yearly" }), { zone: "FR", pue: 1.3, source: "yearly" });
  // a spec without carbon says nothing about it
  assert.equal(specToJson(parseSpec(smallSpecJson(1))).carbon, undefined);
});

test("source yearly never asks Electricity Maps, even with a token", async () => {
  const em = await electricityMapsStandIn({ FR: [40] });
  try {
    const grid = new GridCarbon({ zone: "FR", source: "yearly", electricityMapsUrl: em.url }, { env: { ELECTRICITYMAPS_API_TOKEN: TOKEN } });
    const i = await grid.intensity();
    assert.equal(i.kind, "tgwf-co2-yearly");
    assert.equal(i.intensityGPerKwh, yearlyIntensity("FR")!.intensityGPerKwh);
    assert.equal(em.requests.length, 0);
  } finally {
    await em.close();
  }
});

test("intensityHistory reads the history endpoint, oldest first", async () => {
  const em = await electricityMapsStandIn({ FR: [40, 60, 55] });
  try {
    const history = await intensityHistory("FR", TOKEN, { electricityMapsUrl: em.url });
    assert.deepEqual(history.map((h) => h.intensityGPerKwh), [40, 60, 55]);
    assert.equal(history[0].datetime, new Date(Date.UTC(2026, 11, 5, 0)).toISOString());
    assert.deepEqual(em.requests.map((r) => [r.path, r.token]), [["/v3/carbon-intensity/history?zone=FR", TOKEN]]);
    await assert.rejects(intensityHistory("FR", "wrong", { electricityMapsUrl: em.url }), /HTTP 401/);
  } finally {
    await em.close();
  }
});

test("a stored row is charged at another yearly or fixed setting when read, saying so; live rows and settings leave it as stored", async () => {
  const dir = out();
  await runSweep(parseSpec(smallSpecJson(1)), standInDeps().deps, { outDir: dir, progress: false, env: {}, carbon: { zone: "DE" } });
  const stored = readResults(join(dir, "metrics.jsonl")).rows[0];
  const fr = await new GridCarbon({ zone: "FR", pue: 1.2 }, { env: {} }).intensity();
  const charged = chargeRow(stored, fr, { zone: "FR", pue: 1.2 });
  const energy = (stored.energy_total_j_measured ?? stored.energy_total_j_estimated) as number;
  const column = stored.energy_total_j_measured === null ? "gco2eq_estimated" : "gco2eq_measured";
  assert.ok(Math.abs((charged[column] as number) - (energy / 3.6e6) * yearlyIntensity("FR")!.intensityGPerKwh * 1.2) < 1e-12);
  assert.equal(charged.carbon_zone, "FR");
  assert.equal(charged.pue, 1.2);
  assert.match(String(charged.carbon_source), /^tgwf-co2-yearly FR \d{4}, \d+ g\/kWh × PUE 1\.2 \(charged when read; stored: tgwf-co2-yearly DE \d{4}, /);
  assert.equal(stored.carbon_zone, "DE", "the stored row object is not changed");
  // the same setting: the row as it is
  const de = await new GridCarbon({ zone: "DE" }, { env: {} }).intensity();
  assert.equal(chargeRow(stored, de, { zone: "DE" }), stored);
  // charging twice does not stack the note
  assert.equal(chargeRow(charged, fr, { zone: "FR", pue: 1.2 }), charged);
  // an embodied setting adds its column to a reused row
  const withEmbodied = chargeRow(stored, de, { zone: "DE", embodiedKgCo2e: 100, lifetimeYears: 4 });
  assert.equal(typeof withEmbodied.gco2eq_embodied_estimated, "number");
  // a live row keeps the figure of its hour
  const live = { ...stored, carbon_source: "electricitymaps DE 2026-12-06T10:00:00.000Z, 300 g/kWh × PUE 1" };
  assert.equal(chargeRow(live, fr, { zone: "FR" }), live);
  assert.equal(isLive({ zone: "FR" }, { ELECTRICITYMAPS_API_TOKEN: "x" }), true);
  assert.equal(isLive({ zone: "FR", source: "yearly" }, { ELECTRICITYMAPS_API_TOKEN: "x" }), false);
  assert.equal(isLive({ zone: "FR" }, {}), false);
});
