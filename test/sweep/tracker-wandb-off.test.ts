import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labSweepDeps } from "../../src/lab/deps.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { wandbTrackerFromEnv, wandbWorkerCounts } from "../../src/sweep/wandb-tracker.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const KEY = "0123456789abcdef0123456789abcdef01234567";

test("W&B is off without WANDB_API_KEY, with WATTLAB_WANDB=0 or WANDB_MODE=disabled/offline", () => {
  assert.equal(wandbTrackerFromEnv({}), null);
  assert.equal(wandbTrackerFromEnv({ WANDB_API_KEY: "  " }), null, "an empty key is no key");
  assert.equal(wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WATTLAB_WANDB: "0" }), null);
  assert.equal(wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WANDB_MODE: "disabled" }), null);
  assert.equal(wandbTrackerFromEnv({ WANDB_API_KEY: KEY, WANDB_MODE: "offline" }), null);
  assert.notEqual(wandbTrackerFromEnv({ WANDB_API_KEY: KEY }), null);
  assert.equal(wandbWorkerCounts().loads, 0, "creating a tracker loads nothing; only a sweep's start does");
});

test("a sweep without a key runs with no tracker and never loads @wandb/sdk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-wandb-off-"));
  const wired = standInDeps();
  wired.deps.tracker = wandbTrackerFromEnv({}) ?? undefined;
  const summary = await runSweep(parseSpec(smallSpecJson(1)), wired.deps, { outDir: dir, progress: false, warn: (w) => assert.fail(w.message) });
  assert.equal(summary.completed, 4);
  assert.equal(readResults(join(dir, "metrics.jsonl")).rows.length, 4);
  assert.deepEqual(wandbWorkerCounts(), { loads: 0, live: 0 });
});

test("labSweepDeps wires the W&B tracker only when WANDB_API_KEY is set", () => {
  const saved = { key: process.env.WANDB_API_KEY, off: process.env.WATTLAB_WANDB };
  try {
    delete process.env.WANDB_API_KEY;
    delete process.env.WATTLAB_WANDB;
    assert.equal(labSweepDeps().tracker, undefined);
    process.env.WANDB_API_KEY = KEY;
    assert.equal(typeof labSweepDeps().tracker?.log, "function");
    process.env.WATTLAB_WANDB = "0";
    assert.equal(labSweepDeps().tracker, undefined);
  } finally {
    for (const [name, value] of [["WANDB_API_KEY", saved.key], ["WATTLAB_WANDB", saved.off]] as const) {
      if (value === undefined) delete process.env[name]; else process.env[name] = value;
    }
  }
  assert.equal(wandbWorkerCounts().loads, 0);
});
