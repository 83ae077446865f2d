// The carbon setting through the CLI as a user types it: real child processes of wattlab, the tiny model, and a local
// HTTP server standing in for Electricity Maps (its v3 latest path and auth-token header).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { yearlyIntensity } from "../../src/meter/carbon.js";
import { readResults } from "../../src/sweep/store.js";
import { packageRoot } from "../../src/version.js";

const TOKEN = "em-cli-token-93e1";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-carbon-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The CLI in a child process, without blocking this one (a stand-in server here must keep answering). */
function wattlab(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  for (const name of Object.keys(clean)) if (name.startsWith("WATTLAB_") && name !== "WATTLAB_MODELS_DIR" || name === "ELECTRICITYMAPS_API_TOKEN") delete clean[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", env: { ...clean, ...env }, timeout: 300_000 },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }));
  });
}

const SWEEP = ["sweep", "--preset", "tiny-batch", "--reps", "1", "--idle-seconds", "0", "--no-progress", "--warmup", "0"];

test("WATTLAB_GRID_ZONE=FRA wattlab sweep --preset tiny-batch: every row carries France's yearly intensity, and the summary says so", async (t) => {
  const dir = tempDir(t);
  const r = await wattlab([...SWEEP, "--out", dir], { WATTLAB_GRID_ZONE: "FRA" });
  assert.equal(r.status, 0, r.stderr);
  const fra = yearlyIntensity("FRA")!;
  const { rows } = readResults(join(dir, "metrics.jsonl"));
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.equal(row.carbon_zone, "FRA");
    assert.equal(row.carbon_intensity_g_per_kwh, fra.intensityGPerKwh);
    assert.equal(row.pue, 1);
    assert.equal(typeof (row.gco2eq_measured ?? row.gco2eq_estimated), "number");
  }
  assert.match(r.stdout, new RegExp(`^carbon: \\S+ gCO2eq per generation \\(mean of 3 rows\\) at tgwf-co2-yearly FRA .*${fra.intensityGPerKwh} g/kWh × PUE 1$`, "m"));
});

test("sweep flags with a token: live intensity per row from the stand-in, PUE and embodied columns; the token in no output or file", async (t) => {
  const dir = tempDir(t);
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? "");
    response.setHeader("content-type", "application/json");
    if (request.headers["auth-token"] !== TOKEN) { response.statusCode = 401; response.end("{}"); return; }
    response.end(JSON.stringify({ zone: "DE", carbonIntensity: 333, datetime: "2026-12-06T10:00:00.000Z", updatedAt: "2026-12-06T10:05:00.000Z" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  const r = await wattlab([...SWEEP, "--out", dir, "--zone", "DE", "--pue", "1.2", "--embodied-kgco2e", "150", "--lifetime-years", "4", "--utilisation", "0.5"],
    { ELECTRICITYMAPS_API_TOKEN: TOKEN, WATTLAB_ELECTRICITYMAPS_URL: url, WATTLAB_GRID_ZONE: "FRA" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(paths, ["/v3/carbon-intensity/latest?zone=DE"], "the flag's zone, once: three runs inside the default cache interval");
  for (const row of readResults(join(dir, "metrics.jsonl")).rows) {
    assert.equal(row.carbon_intensity_g_per_kwh, 333);
    assert.equal(row.carbon_datetime, "2026-12-06T10:00:00.000Z");
    assert.equal(row.pue, 1.2);
    assert.equal(typeof row.gco2eq_embodied_estimated, "number");
    assert.match(String(row.embodied_source), /^estimated: user figure 150 kgCO2e over 4 years at 50% utilisation/);
  }
  assert.match(r.stdout, /embodied .* gCO2eq \(ESTIMATED, column gco2eq_embodied_estimated\)/);
  assert.ok(!(r.stdout + r.stderr).includes(TOKEN));
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    try { assert.ok(!readFileSync(path, "utf8").includes(TOKEN), `${name} holds no token`); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EISDIR") throw e; }
  }
});

test("bad carbon flags and variables are one line naming them and the fix, before anything runs", async (t) => {
  const dir = tempDir(t);
  const pue = await wattlab([...SWEEP, "--out", dir, "--pue", "0.5"]);
  assert.equal(pue.status, 2, pue.stderr);
  assert.match(pue.stderr, /--pue = 0\.5 must be ≥ 1 \(facility energy \/ IT energy\): set e\.g\. 1\.2/);
  const embodied = await wattlab(["generate", "--embodied-kgco2e", "150", "--max-new-tokens", "2"]);
  assert.match(embodied.stderr, /needs the hardware's service life: give --lifetime-years/);
  assert.notEqual(embodied.status, 0);
  const env = await wattlab([...SWEEP, "--out", dir], { WATTLAB_PUE: "high" });
  assert.notEqual(env.status, 0);
  assert.match(env.stderr, /WATTLAB_PUE="high" is not a number: set e\.g\. WATTLAB_PUE=1\.2 or unset it/);
  const zone = await wattlab(["generate", "--zone", "ATLANTIS", "--max-new-tokens", "2"]);
  assert.notEqual(zone.status, 0);
  assert.match(zone.stderr, /wattlab generate: no grid intensity for zone "ATLANTIS": use an Electricity Maps zone/);
});

test("generate and meter report gCO2eq at the zone given, and embodied carbon beside it only when asked for", async () => {
  const fra = yearlyIntensity("FRA")!;
  const generate = await wattlab(["generate", "--zone", "FRA", "--pue", "1.1", "--max-new-tokens", "2", "--input-tokens", "8"]);
  assert.equal(generate.status, 0, generate.stderr);
  assert.match(generate.stdout, new RegExp(`^carbon +\\S+ gCO2eq at ${fra.intensityGPerKwh} g/kWh × PUE 1\\.1 \\(tgwf-co2-yearly FRA\\)$`, "m"));
  assert.doesNotMatch(generate.stdout, /embodied/);
  const meter = await wattlab(["meter", "--zone", "FRA", "--embodied-kgco2e", "100", "--lifetime-years", "5", "--", process.execPath, "-e", "setTimeout(() => {}, 300)"]);
  assert.equal(meter.status, 0, meter.stderr);
  assert.match(meter.stderr, new RegExp(`carbon +\\S+ gCO2eq at ${fra.intensityGPerKwh} g/kWh × PUE 1 \\(tgwf-co2-yearly FRA\\)`));
  assert.match(meter.stderr, /carbon +\S+ gCO2eq embodied, ESTIMATED \(user figure 100 kgCO2e over 5 years at 100% utilisation, charged by the run's seconds\); not added to the above/);
});
