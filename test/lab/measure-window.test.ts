// measureGeneration (wattlab generate, notebooks 00, 08 and 11) takes its energy from the sweep's repeated windows by
// default: a tiny generation lasts milliseconds, far under what the energy counter resolves, so its own windows are
// flagged and only used when asked for. Real engine, real meter (the CPU-time estimate here).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureGeneration } from "../../src/lab/measure.js";
import { MIN_RESOLVED_UPDATES } from "../../src/meter/resolution.js";
import { packageRoot } from "../../src/version.js";

function modelsDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-measure-window-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("by default one generation's energy is a repeated window's share, resolved by the counter; prefill + decode add up to it", async (t) => {
  const m = await measureGeneration({ model: "tiny", modelsDir: modelsDir(t), inputTokens: 16, maxNewTokens: 8, window: { minSeconds: 0.3, minUpdates: 20, minCount: 3 } });
  const w = m.energyWindow;
  assert.equal(w.measurement, "repeated");
  assert.ok(w.generations >= 3 && w.prefills >= 3, JSON.stringify(w));
  assert.ok(w.counterUpdates !== null && w.counterUpdates >= MIN_RESOLVED_UPDATES, JSON.stringify(w));
  assert.equal(w.belowResolution, false);
  assert.ok(m.energyJ > 0, `energy ${m.energyJ}`);
  assert.ok(Math.abs(m.prefill.totalEnergyJ + m.decode.totalEnergyJ - m.energyJ) <= 1e-9 * Math.max(1, m.energyJ));
  // the figure is one generation's share: the window's seconds over its count, not the whole window
  assert.ok(Math.abs(m.generation.seconds - w.seconds / w.generations) <= 1e-9, `${m.generation.seconds} vs ${w.seconds} / ${w.generations}`);
  assert.ok(m.trace.length >= 0 && m.phases.endMs >= m.phases.decodeStartMs, "the traced generation still gives the phases");
});

test("--measurement window uses the traced generation's own windows and flags them when the counter cannot resolve them", async (t) => {
  const dir = modelsDir(t);
  const m = await measureGeneration({ model: "tiny", modelsDir: dir, inputTokens: 16, maxNewTokens: 8, measurement: "window" });
  assert.equal(m.energyWindow.measurement, "window");
  assert.equal(m.energyWindow.generations, 1);
  assert.ok(m.energyWindow.counterUpdates !== null && m.energyWindow.counterUpdates < MIN_RESOLVED_UPDATES, JSON.stringify(m.energyWindow));
  assert.equal(m.energyWindow.belowResolution, true);

  const wattlab = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args],
    { encoding: "utf8", timeout: 180_000, env: { ...process.env, WATTLAB_MODELS_DIR: dir } });
  const flagged = wattlab(["generate", "--model", "tiny", "--max-new-tokens", "8", "--measurement", "window"]);
  assert.equal(flagged.status, 0, flagged.stderr);
  assert.match(flagged.stdout, /energy window +the traced generation's own prefill and decode windows, .*: BELOW the counter's resolution/);
  assert.match(flagged.stdout, /note: the energy windows span fewer than 10 updates of the energy counter: .*leave out --measurement window/);
  const repeated = wattlab(["generate", "--model", "tiny", "--max-new-tokens", "8"]);
  assert.equal(repeated.status, 0, repeated.stderr);
  assert.match(repeated.stdout, /energy window +\d+ generations back to back in [\d.]+ s \(\d+ counter updates\), then \d+ prefills in a window of their own\n/);
  assert.doesNotMatch(repeated.stdout, /BELOW|fewer than 10 updates/);
});
