// Serving sweeps end to end on loopback: wattlab's own server (llama.cpp, tiny GGUF, continuous batching) under
// concurrency 1/4/16 measured by the real meter (CPU estimate, whole machine), one row per level; a rerun measures
// nothing; a server that fails some requests gets them counted in the row, one that cannot be reached a failed row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../src/engine/load.js";
import { startServer } from "../../src/serve/index.js";
import { labServingDeps } from "../../src/lab/serving.js";
import { runServingSweep, servingDefaults, servingProblems, type ServingRecord, type ServingSpec } from "../../src/sweep/serving/index.js";
import { readResults } from "../../src/sweep/store.js";
import { tinyModels } from "../serve/client.js";

const deps = labServingDeps({ gpus: "none", cpu: "estimate" });
const quiet = () => {};

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-serving-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function spec(endpoint: string, fields: Partial<ServingSpec>): ServingSpec {
  return { ...servingDefaults(endpoint, "tiny"), inputLengths: [24], outputLengths: [12], ...fields };
}

const energyOf = (r: ServingRecord) => (r.energy_total_j_measured ?? r.energy_total_j_estimated) as number;

test("concurrency 1/4/16 against wattlab serve: rows with TTFT, ITL percentiles, steady-state J/token and goodput; per-request energies add up", async (t) => {
  const models = await tinyModels(t);
  const { engine, tokenizer } = await openEngine({ engine: "llama.cpp", modelDir: models.gguf, threads: 1 });
  t.after(() => engine.dispose());
  const server = await startServer({ engine, tokenizer, modelName: "tiny", port: 0, maxConcurrency: 16 });
  t.after(() => server.close());
  const out = tempDir(t);
  const s = spec(server.url, { concurrency: [1, 4, 16] });
  const summary = await runServingSweep(s, deps, { outDir: out, idleSeconds: 0, say: quiet });
  assert.equal(summary.completed, 3, "three levels");
  const rows = readResults<ServingRecord>(summary.resultsPath).rows;
  assert.deepEqual(rows.map((r) => r.concurrency), [1, 4, 16]);
  const requests = readFileSync(summary.requestsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  for (const row of rows) {
    assert.equal(row.state, "completed");
    assert.equal(row.requests, Math.max(16, 4 * (row.concurrency as number)));
    assert.equal(row.warmup_requests, row.concurrency, "one unmetered round at the level's concurrency first");
    const card = JSON.parse(row.server_model_card as string) as Record<string, unknown>;
    assert.deepEqual([card.id, card.engine, card.batching], ["tiny", "llama.cpp", "continuous"], "the server's model card is recorded");
    assert.equal(row.requests_failed, 0);
    assert.equal(row.tokens_out, (row.requests as number) * 12, "ignore_eos: every request makes max_tokens");
    for (const c of ["ttft_p50_s", "ttft_p99_s", "itl_p50_s", "itl_p99_s", "tpot_p50_s", "e2e_p99_s", "output_tokens_per_s", "steady_s"] as const) {
      assert.ok(typeof row[c] === "number" && (row[c] as number) > 0, `${c} = ${row[c]}`);
    }
    assert.ok((row.ttft_p99_s as number) >= (row.ttft_p50_s as number));
    assert.ok((row.itl_p99_s as number) >= (row.itl_p50_s as number));
    assert.equal(row.j_per_output_token_measured, null, "the CPU estimate is not a measurement");
    const perToken = row.j_per_output_token_estimated as number;
    assert.ok(perToken > 0);
    assert.ok(Math.abs(perToken * (row.steady_output_tokens as number) - energyOf(row)) < 1e-9 * energyOf(row));
    assert.ok((row.goodput_share as number) >= 0 && (row.goodput_share as number) <= 1);
    // per-request energies (the rule in REQUEST_ENERGY_RULE) add up to the steady window's energy
    const mine = requests.filter((q) => q.key === row.key);
    assert.equal(mine.length, row.requests);
    const sum = mine.reduce((a, q) => a + q.energy_j, 0);
    assert.ok(Math.abs(sum - energyOf(row)) <= 1e-9 * energyOf(row), `requests ${sum} J vs window ${energyOf(row)} J`);
    assert.ok(Math.abs((row.request_energy_j_sum as number) - energyOf(row)) <= 1e-9 * energyOf(row));
  }
  const again = await runServingSweep(s, deps, { outDir: out, idleSeconds: 0, say: quiet });
  assert.equal(again.skipped, 3, "a rerun measures nothing");
  assert.equal(readResults(summary.resultsPath).rows.length, 3);
  assert.match(readFileSync(summary.csvPath, "utf8"), /^key,state,/);
});

test("a server that fails some requests: 500s and cut streams are failed requests counted in the row, with reasons", async (t) => {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      const i = n++;
      if (i % 4 === 1) { res.writeHead(500, { "content-type": "application/json" }); res.end(JSON.stringify({ error: { message: "overloaded" } })); return; }
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (let k = 0; k < 6; k++) {
        if (i % 4 === 2 && k === 3) { res.destroy(); return; }
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: "x", finish_reason: k === 5 ? "length" : null }] })}\n\n`);
        await new Promise((r) => setTimeout(r, 2));
      }
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const summary = await runServingSweep(spec(url, { concurrency: [2], numRequests: 8, outputLengths: [6], warmupRounds: 0 }), deps, { outDir: tempDir(t), idleSeconds: 0, say: quiet });
  const [row] = readResults<ServingRecord>(summary.resultsPath).rows;
  assert.equal(row.state, "completed");
  assert.equal(row.requests, 8);
  assert.equal(row.requests_failed, 4);
  assert.deepEqual(JSON.parse(row.failure_reasons as string), { "HTTP 500": 2, "stream cut": 2 });
  assert.equal(row.goodput_share, 0.5, "failed requests count against goodput");
});

test("an unreachable endpoint is a failed row naming the reason; bad specs are refused in one line each", async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r)); // a port nobody listens on
  const summary = await runServingSweep(spec(`http://127.0.0.1:${port}`, { concurrency: [2], numRequests: 4 }), deps, { outDir: tempDir(t), idleSeconds: 0, say: quiet });
  assert.equal(summary.failed, 1);
  const [row] = readResults<ServingRecord>(summary.resultsPath).rows;
  assert.match(row.error_message as string, /every request failed: connection refused/);
  const problems = servingProblems(spec("ftp://x", { concurrency: [8], numRequests: 8, requestRates: [1] }));
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.match(problems.join("\n"), /not an http\(s\) URL/);
  assert.match(problems.join("\n"), /both concurrency and request_rate/);
  assert.match(problems.join("\n"), /no steady state; use num_requests ≥ 2 × the largest concurrency \(16\)/);
});
