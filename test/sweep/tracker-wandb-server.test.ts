// A local stand-in for the part of W&B's API that @wandb/sdk 0.5.1 uses: POST /graphql (Viewer query for the
// key's entity, UpsertBucket mutation creating the run) and POST /files/<entity>/<project>/<run>/file_stream
// (history lines, then {complete, exitcode}). Real SDK, real HTTP, real sweep with the stand-in engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { wandbTrackerFromEnv, wandbWorkerCounts } from "../../src/sweep/wandb-tracker.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const KEY = "0123456789abcdef0123456789abcdef01234567";

interface Seen { path: string; authorization: string | undefined; body: Record<string, any> }

/** `stallFileStream`: file_stream requests never get an answer (the SDK's fetch has no timeout of its own). */
async function fakeWandb(options: { stallFileStream?: boolean } = {}) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const body = text ? JSON.parse(text) : {};
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.url === "/graphql" && /query Viewer/.test(body.query)) {
        return json(200, { data: { viewer: { id: "u1", entity: "tester", flags: null, teams: { edges: [] } } } });
      }
      if (req.url === "/graphql" && /mutation UpsertBucket/.test(body.query)) {
        const v = body.variables;
        return json(200, { data: { upsertBucket: { inserted: true, bucket: {
          id: "b1", name: v.name, displayName: v.displayName, description: null, config: v.config, sweepName: null,
          project: { id: "p1", name: v.project, entity: { id: "e1", name: v.entity } },
        } } } });
      }
      if (req.url?.endsWith("/file_stream")) return options.stallFileStream ? undefined : json(200, {});
      json(404, { error: `not served here: ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { seen, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("with a key, a sweep creates a W&B run named after the spec, with the spec as config and one history line per row", { timeout: 30_000 }, async () => {
  const wandb = await fakeWandb();
  try {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-wandb-"));
    const lines: string[] = [];
    const wired = standInDeps();
    wired.deps.tracker = wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WANDB_BASE_URL: wandb.url + "/", WANDB_PROJECT: "energy" }, { notify: (l) => lines.push(l) }) ?? undefined;
    const summary = await runSweep(parseSpec(smallSpecJson(2)), wired.deps, { outDir: dir, progress: false, warn: (w) => assert.fail(w.message) });
    assert.equal(summary.completed, 8);
    const rows = readResults(join(dir, "metrics.jsonl")).rows;

    const upsert = wandb.seen.find((s) => /UpsertBucket/.test(s.body.query ?? ""));
    assert.ok(upsert, "the run was created");
    assert.equal(upsert.authorization, `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}`);
    assert.deepEqual({ project: upsert.body.variables.project, entity: upsert.body.variables.entity, displayName: upsert.body.variables.displayName },
      { project: "energy", entity: "tester", displayName: "small" });
    const config = JSON.parse(upsert.body.variables.config);
    assert.deepEqual({ name: config.name, repetitions: config.repetitions, dimensions: config.dimensions },
      { name: "small", repetitions: 2, dimensions: { batch_size: [1, 3], output_length: [4, 6] } });

    const runPath = `/files/tester/energy/${upsert.body.variables.name}/file_stream`;
    const streamed = wandb.seen.filter((s) => s.path === runPath);
    const history = streamed.flatMap((s) => s.body.files?.["wandb-history.jsonl"]?.content ?? []).map((l: string) => JSON.parse(l));
    assert.deepEqual(history.map((h) => h.key), rows.map((r) => r.key), "one history line per stored row, in order");
    const [first] = history;
    assert.equal(first.state, "completed");
    assert.equal(first.energy_total_j_estimated, rows[0].energy_total_j_estimated);
    assert.equal(first.batch_size, rows[0].batch_size);
    assert.equal(first.model, undefined, "text columns stay in metrics.jsonl");
    assert.deepEqual(streamed.at(-1)?.body, { complete: true, exitcode: 0 }, "the run was finished");

    assert.deepEqual(lines, [`wattlab: logging this sweep to W&B: ${wandb.url}/tester/energy/runs/${upsert.body.variables.name}`]);
    assert.equal(wandbWorkerCounts().live, 0);
  } finally {
    wandb.server.closeAllConnections();
    wandb.server.close();
  }
});

test("W&B stalling after the run exists: the end of the sweep waits a bounded time, warns once, stores every row", { timeout: 30_000 }, async () => {
  const wandb = await fakeWandb({ stallFileStream: true });
  try {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-wandb-"));
    const lines: string[] = [];
    const wired = standInDeps();
    wired.deps.tracker = wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WANDB_BASE_URL: wandb.url }, { notify: (l) => lines.push(l), finishTimeoutMs: 1500 }) ?? undefined;
    const summary = await runSweep(parseSpec(smallSpecJson(1)), wired.deps, { outDir: dir, progress: false, warn: (w) => assert.fail(w.message) });
    assert.equal(summary.completed, 4);
    assert.equal(readResults(join(dir, "metrics.jsonl")).rows.length, 4);
    assert.equal(lines.length, 2, lines.join(" | "));
    assert.match(lines[0], /logging this sweep to W&B/);
    assert.match(lines[1], /did not confirm the upload of the last rows within 1\.5 s.*WATTLAB_WANDB=0/);
    assert.equal(wandbWorkerCounts().live, 0);
  } finally {
    wandb.server.closeAllConnections();
    wandb.server.close();
  }
});
