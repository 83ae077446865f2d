// notebooks/11-carbon: the same generation charged at each of the zone's last 24 hours from Electricity Maps' history
// endpoint (a local HTTP server stands in for it, answering only with the right auth-token), and, offline, a clear
// statement that it cannot, with no error. The token appears in no file the notebook wrote.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNotebook, type CodeCell } from "../../src/notebook/nbformat.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { packageRoot } from "../../src/version.js";

const notebook = join(packageRoot(), "notebooks", "11-carbon.ipynb");
const skip = existsSync(join(packageRoot(), "dist", "src", "notebook", "kernel-main.js")) ? false : "dist/ is not built";
const TOKEN = "em-notebook-token-7d20";

/** Every display's markdown and plain text, in order. */
function texts(path: string): string[] {
  return readNotebook(path).cells.filter((c): c is CodeCell => c.cell_type === "code").flatMap((c) => c.outputs.map((o) => {
    const data = (o as { data?: Record<string, string | string[]> }).data ?? {};
    const pick = data["text/markdown"] ?? data["text/plain"] ?? (o as { text?: string | string[] }).text ?? (o as { evalue?: string }).evalue ?? "";
    return Array.isArray(pick) ? pick.join("") : String(pick);
  }));
}

function charts(path: string): number {
  return readNotebook(path).cells.filter((c): c is CodeCell => c.cell_type === "code")
    .flatMap((c) => c.outputs).filter((o) => "application/vnd.plotly.v1+json" in ((o as { data?: object }).data ?? {})).length;
}

/** Runs the notebook with these environment variables set for its kernel (and removed afterwards). */
async function runWith(env: Record<string, string>, parameters: Record<string, unknown>, dir: string) {
  const saved = Object.fromEntries(["ELECTRICITYMAPS_API_TOKEN", "WATTLAB_ELECTRICITYMAPS_URL", "WATTLAB_GRID_ZONE", ...Object.keys(env)].map((k) => [k, process.env[k]]));
  for (const k of Object.keys(saved)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await runNotebook(notebook, { parameters: { figuresDir: join(dir, "figures"), ...parameters }, timeoutS: 300, outDir: join(dir, "executed") });
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

test("with a token: the same generation's gCO2eq at each of the last 24 hours, from the history endpoint", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb11-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const seen: { url: string; token: unknown }[] = [];
  // a day with a clean night and a dirty evening: the notebook must find both hours
  const hours = Array.from({ length: 24 }, (_, h) => ({ zone: "DE", carbonIntensity: h === 3 ? 120 : h === 19 ? 480 : 300, datetime: new Date(Date.UTC(2026, 11, 5, h)).toISOString() }));
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? "", token: request.headers["auth-token"] });
    response.setHeader("content-type", "application/json");
    if (request.headers["auth-token"] !== TOKEN) { response.statusCode = 401; response.end("{}"); return; }
    response.end(JSON.stringify({ zone: "DE", history: hours }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;

  const r = await runWith({ ELECTRICITYMAPS_API_TOKEN: TOKEN, WATTLAB_ELECTRICITYMAPS_URL: url }, { gridZone: "DE" }, dir);
  assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
  assert.deepEqual(seen, [{ url: "/v3/carbon-intensity/history?zone=DE", token: TOKEN }]);
  const out = texts(r.outputPath);
  const summary = out.find((s) => s.startsWith("Over the last 24 hours in **DE**"));
  assert.ok(summary, out.join("\n---\n"));
  assert.match(summary, /\(2026-12-05T03:00:00\.000Z, 120 g\/kWh\).*\(2026-12-05T19:00:00\.000Z, 480 g\/kWh\): ×4\.00 between the cleanest and the dirtiest hour/);
  assert.equal(charts(r.outputPath), 2, "the day and the zones");
  for (const file of [r.outputPath, ...readdirSync(join(dir, "figures")).map((f) => join(dir, "figures", f))]) {
    assert.ok(!readFileSync(file, "utf8").includes(TOKEN), `${file} holds no token`);
  }
});

test("offline: the notebook runs without error and says it cannot show the day, with the yearly figure instead", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb11-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runWith({}, { gridZone: "FR" }, dir);
  assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
  const out = texts(r.outputPath);
  const line = out.find((s) => s.includes("cannot show how carbon varies over the day"));
  assert.ok(line, out.join("\n---\n"));
  assert.match(line, /ELECTRICITYMAPS_API_TOKEN is not set.*FR 20\d\d yearly average via @tgwf\/co2/);
  assert.equal(charts(r.outputPath), 1, "the zones' yearly averages, still");
});
