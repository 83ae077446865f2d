// W&B unreachable or broken: the sweep must finish with every row stored, one warning, and no SDK worker
// (with its retry timers) left behind. No timing assertions: the test timeout guards against a hang (the SDK
// alone would retry a 500 for many minutes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { wandbTrackerFromEnv, wandbWorkerCounts } from "../../src/sweep/wandb-tracker.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const KEY = "0123456789abcdef0123456789abcdef01234567";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound by us, then released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

async function sweepWith(baseUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-wandb-down-"));
  const lines: string[] = [];
  const sweepWarnings: string[] = [];
  const wired = standInDeps();
  wired.deps.tracker = wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WANDB_BASE_URL: baseUrl }, { notify: (l) => lines.push(l), startTimeoutMs: 1500, finishTimeoutMs: 1500 }) ?? undefined;
  assert.ok(wired.deps.tracker);
  const loadsBefore = wandbWorkerCounts().loads;
  const summary = await runSweep(parseSpec(smallSpecJson(2)), wired.deps, { outDir: dir, progress: false, warn: (w) => sweepWarnings.push(w.message) });
  return { summary, rows: readResults(join(dir, "metrics.jsonl")).rows, lines, sweepWarnings, loads: wandbWorkerCounts().loads - loadsBefore };
}

function assertOneWarning(lines: string[], reason: RegExp) {
  assert.equal(lines.length, 1, `exactly one line, got: ${lines.join(" | ")}`);
  assert.match(lines[0], /W&B/);
  assert.match(lines[0], /WATTLAB_WANDB=0/, "the warning tells how to turn W&B off");
  assert.match(lines[0], reason);
  assert.ok(!lines[0].includes(KEY), "the API key is never printed");
}

test("W&B at a closed port: the sweep stores every row, warns once and leaves no SDK worker", { timeout: 30_000 }, async () => {
  const url = await closedPortUrl();
  const { summary, rows, lines, sweepWarnings, loads } = await sweepWith(url);
  assert.deepEqual({ completed: summary.completed, failed: summary.failed, stored: rows.length }, { completed: 8, failed: 0, stored: 8 });
  assertOneWarning(lines, /ECONNREFUSED/);
  assert.deepEqual(sweepWarnings, [], "the tracker never throws into the runner");
  assert.equal(loads, 1);
  assert.equal(wandbWorkerCounts().live, 0, "the worker is gone");
});

test("W&B answering 500: the SDK's retries do not hold the sweep; one warning; no SDK worker left", { timeout: 30_000 }, async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
  });
  const url = await listen(server);
  try {
    const { summary, rows, lines, sweepWarnings } = await sweepWith(url);
    assert.deepEqual({ completed: summary.completed, stored: rows.length }, { completed: 8, stored: 8 });
    assertOneWarning(lines, /did not create the run within 1\.5 s/);
    assert.deepEqual(sweepWarnings, []);
    assert.ok(requests >= 1, "the SDK did reach the server");
    assert.equal(wandbWorkerCounts().live, 0);
  } finally {
    server.close();
  }
});
