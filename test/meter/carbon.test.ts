// gCO2eq = kWh × intensity × PUE, with intensity fixed, offline (@tgwf/co2) or live (Electricity Maps).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { carbonFor, Meter, resolveGridIntensity, yearlyIntensity } from "../../src/meter/index.js";

test("carbonFor: 3.6 MJ = 1 kWh at 400 g/kWh and PUE 1.5 is 600 g; 1 J at 500 g/kWh is 500/3.6e6 g", () => {
  const fixed = { intensityGPerKwh: 400, source: "fixed" as const, zone: null, year: null, pue: 1.5 };
  assert.equal(carbonFor(3.6e6, fixed).gramsCo2eq, 600);
  assert.equal(carbonFor(1, { ...fixed, intensityGPerKwh: 500, pue: 1 }).gramsCo2eq, 500 / 3.6e6);
  assert.deepEqual({ ...carbonFor(0, fixed), gramsCo2eq: 0 }, { ...fixed, gramsCo2eq: 0 });
});

test("offline yearly figures: Electricity Maps zones with their year, Ember alpha-3 countries without one", () => {
  // Values as shipped in @tgwf/co2 0.19.0.
  assert.deepEqual(yearlyIntensity("FR"), { intensityGPerKwh: 31, zone: "FR", year: 2025 });
  assert.deepEqual(yearlyIntensity("fr", 2022), { intensityGPerKwh: 91, zone: "FR", year: 2022 });
  assert.deepEqual(yearlyIntensity("FRA"), { intensityGPerKwh: 44.18, zone: "FRA", year: null });
  assert.deepEqual(yearlyIntensity("WORLD"), { intensityGPerKwh: 472.94, zone: "WORLD", year: null });
  assert.equal(yearlyIntensity("ATLANTIS"), null);
});

test("resolveGridIntensity: fixed beats everything; default zone WORLD; bad zone and PUE are errors", async () => {
  assert.deepEqual((await resolveGridIntensity({ intensityGPerKwh: 250, pue: 1.2 }, {})).intensity, {
    intensityGPerKwh: 250,
    source: "fixed",
    zone: null,
    year: null,
    pue: 1.2,
  });
  assert.deepEqual((await resolveGridIntensity({}, {})).intensity, { intensityGPerKwh: 472.94, source: "tgwf-co2-yearly", zone: "WORLD", year: null, pue: 1 });
  assert.equal((await resolveGridIntensity({}, { WATTLAB_GRID_ZONE: "FR" })).intensity.zone, "FR");
  await assert.rejects(resolveGridIntensity({ zone: "ATLANTIS" }, {}), /no grid intensity for zone "ATLANTIS"/);
  await assert.rejects(resolveGridIntensity({ pue: 0.8 }, {}), /pue must be ≥ 1/);
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`, server };
}

test("with ELECTRICITYMAPS_API_TOKEN the live figure is used, the token goes only into the auth-token header", async () => {
  const seen: { url?: string; token?: string } = {};
  const { url, server } = await serve((request, response) => {
    seen.url = request.url;
    seen.token = request.headers["auth-token"] as string;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ zone: "DE", carbonIntensity: 321 }));
  });
  try {
    const { intensity, warnings } = await resolveGridIntensity({ zone: "DE", electricityMapsUrl: url }, { ELECTRICITYMAPS_API_TOKEN: "secret-token" });
    assert.deepEqual(intensity, { intensityGPerKwh: 321, source: "electricitymaps", zone: "DE", year: null, pue: 1 });
    assert.deepEqual(warnings, []);
    assert.equal(seen.url, "/v3/carbon-intensity/latest?zone=DE");
    assert.equal(seen.token, "secret-token");
  } finally {
    server.close();
  }
});

test("a failing or silent Electricity Maps falls back to the yearly figure and says so, without the token", async () => {
  const failing = await serve((_request, response) => {
    response.statusCode = 401;
    response.end("{}");
  });
  const silent = await serve(() => undefined);
  try {
    const env = { ELECTRICITYMAPS_API_TOKEN: "secret-token" };
    const refused = await resolveGridIntensity({ zone: "FR", electricityMapsUrl: failing.url }, env);
    assert.equal(refused.intensity.source, "tgwf-co2-yearly");
    assert.equal(refused.intensity.intensityGPerKwh, 31);
    assert.match(refused.warnings[0], /Electricity Maps lookup for zone "FR" failed \(HTTP 401\)/);
    const timedOut = await resolveGridIntensity({ zone: "FR", electricityMapsUrl: silent.url, fetchTimeoutMs: 200 }, env);
    assert.match(timedOut.warnings[0], /failed \(timed out\)/);
    for (const warning of [...refused.warnings, ...timedOut.warnings]) assert.ok(!warning.includes("secret-token"));
  } finally {
    failing.server.close();
    silent.server.closeAllConnections();
    silent.server.close();
  }
});

test("a meter with carbon options puts gCO2eq of the window's total energy on every window", async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "estimate", cpuTdpW: 80, carbon: { intensityGPerKwh: 400, pue: 1.25 } });
  try {
    assert.equal(meter.describe().carbon?.source, "fixed");
    await meter.begin("w");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const window = await meter.end("w");
    assert.ok(window.carbon);
    assert.equal(window.carbon.gramsCo2eq, (window.totalEnergyJ / 3.6e6) * 400 * 1.25);
    assert.equal(window.carbon.pue, 1.25);
  } finally {
    await meter.close();
  }
});
