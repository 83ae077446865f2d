// Rows are reused only when measured the same way: the protocol hash beside each key covers the measurement mode,
// the window minimums, the warm-up, the model build (manifest hash) and wattlab's major version. A protocol change
// measures again; rows without a protocol (written before it existed) are measured again; --force still redoes all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measurementProtocol, protocolHash, reusableRow } from "../../src/sweep/protocol.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { effectiveRows, readResults } from "../../src/sweep/store.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

const base = { ...smallSpecJson(1), prefill_energy: "repeated", min_window_s: 0 };
const run = async (dir: string, extra: Record<string, unknown> = {}, wire: (d: ReturnType<typeof standInDeps>) => void = () => {}, force = false) => {
  const wired = standInDeps();
  wire(wired);
  const summary = await runSweep(parseSpec({ ...base, ...extra }), wired.deps, { outDir: dir, progress: false, idleSeconds: 0, force });
  return summary;
};

test("the same protocol reuses every row; each protocol change measures the same configurations again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-protocol-"));
  assert.equal((await run(dir)).completed, 4);
  const again = await run(dir);
  assert.deepEqual([again.completed, again.skipped], [0, 4], "nothing changed: every row reused");

  for (const change of [{ min_generations: 4 }, { min_window_s: 1 }, { min_window_updates: 5 }, { prefill_energy: "window" }, { warmup_runs: 2 }]) {
    const before = readResults(join(dir, "metrics.jsonl")).rows.length;
    const s = await run(dir, change);
    assert.deepEqual([s.completed, s.skipped], [4, 0], `${JSON.stringify(change)} measures again`);
    assert.equal(readResults(join(dir, "metrics.jsonl")).rows.length, before + 4);
    assert.deepEqual([(await run(dir, change)).completed], [0], `${JSON.stringify(change)} twice: reused the second time`);
  }
  // the newest measurement of each key is the effective row, and it says how it was measured
  const latest = effectiveRows(readResults(join(dir, "metrics.jsonl")).rows);
  assert.equal(latest.length, 4);
  for (const r of latest) {
    assert.match(String(r.protocol), /2 warm-ups per shape/);
    assert.equal(r.protocol_hash, protocolHash(measurementProtocol(parseSpec({ ...base, warmup_runs: 2 })), "manifest-tiny-fp32", String(r.wattlab_version)));
  }
});

test("a different model build (manifest hash) measures again; an unknown build trusts the row's own", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-protocol-"));
  await run(dir);
  assert.equal((await run(dir, {}, (w) => { w.deps.manifestHash = () => undefined; })).completed, 0, "not built yet: the rows stand");
  assert.equal((await run(dir, {}, (w) => { w.deps.manifestHash = () => "manifest-tiny-fp32"; })).completed, 0, "same build");
  const rebuilt = await run(dir, {}, (w) => {
    w.deps.manifestHash = () => "rebuilt";
    w.deps.resolveModel = async (model, q) => ({ dir: `/models/${model}-${q}`, manifestHash: "rebuilt" });
  });
  assert.equal(rebuilt.completed, 4, "another build of the model: measured again");
});

test("rows without a protocol hash (older stores) are measured again; --force redoes rows of the same protocol", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-protocol-"));
  await run(dir);
  const rows = readResults(join(dir, "metrics.jsonl")).rows;
  writeFileSync(join(dir, "metrics.jsonl"), "");
  for (const r of rows) appendFileSync(join(dir, "metrics.jsonl"), JSON.stringify({ ...r, protocol: null, protocol_hash: null }) + "\n");
  assert.equal((await run(dir)).completed, 4, "an older row cannot say how it was measured");
  assert.equal((await run(dir)).completed, 0);
  assert.equal((await run(dir, {}, () => {}, true)).completed, 4, "--force");
});

test("reusableRow: failed rows stand (they are only offered with skipFailed); completed ones need the same hash", () => {
  const p = measurementProtocol(parseSpec({ name: "x" }));
  const hash = protocolHash(p, "m", "0.1.0");
  assert.equal(reusableRow({ state: "completed", protocol_hash: hash, model_manifest_hash: "m" }, p, undefined, "0.1.0"), true);
  assert.equal(reusableRow({ state: "completed", protocol_hash: hash, model_manifest_hash: "m" }, p, undefined, "0.1.9"), true, "same major (0.1)");
  assert.equal(reusableRow({ state: "completed", protocol_hash: hash, model_manifest_hash: "m" }, p, undefined, "0.2.0"), false, "another major (0.x)");
  assert.equal(reusableRow({ state: "completed", protocol_hash: hash, model_manifest_hash: "m" }, p, "n", "0.1.0"), false);
  assert.equal(reusableRow({ state: "failed" }, p, "n", "0.1.0"), true);
});
