import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForIdle } from "../../src/sweep/cooldown.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { FakeClockMeter, smallSpecJson, standInDeps, steppingClock } from "./support/stand-ins.js";

const spec = { maxS: 5, toleranceRatio: 0.05, windowS: 1 };

test("cooldown waits window by window until power is within tolerance of idle, or gives up at maxS", async () => {
  const slept: number[] = [];
  const sleep = async (ms: number) => { slept.push(ms); };
  const meter = new FakeClockMeter({ clock: steppingClock(1), sources: { gpu: "counter", cpu: "none", dram: "none" }, gpuW: 100 });
  assert.equal(await waitForIdle(meter, { spec, idlePowerW: 50, sleep }), 5, "100 W never reaches 50 W idle: gives up");
  assert.deepEqual(slept, [1000, 1000, 1000, 1000, 1000]);
  assert.equal(await waitForIdle(meter, { spec, idlePowerW: 96, sleep }), 1, "100 W is within 5% of 96 W");
  slept.length = 0;
  assert.equal(await waitForIdle(meter, { spec, idlePowerW: null, sleep }), 5, "no baseline: a plain pause");
  assert.deepEqual(slept, [5000]);
  assert.equal(meter.open.size, 0);
});

test("a sweep with cooldown records the wait before every run but the first, and after every warm-up", async () => {
  const waits = async (warmupRuns: number) => {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-cool-"));
    const wired = standInDeps({ meter: { idleW: 1000 } }); // idle above the run's power: one window each
    await runSweep(parseSpec({ ...smallSpecJson(1), warmup_runs: warmupRuns, cooldown: { max_s: 3, window_s: 1 } }), wired.deps, { outDir: dir, progress: false });
    return readResults(join(dir, "metrics.jsonl")).rows.map((r) => r.cooldown_s);
  };
  assert.deepEqual(await waits(0), [null, 1, 1, 1], "the first run follows the idle baseline");
  assert.deepEqual(await waits(1), [1, 1, 1, 1], "every shape's first run follows its warm-up");
});

test("cooldown also waits for the GPU's temperature to settle (≤ 1 °C over a window), where the meter reads it", async () => {
  const slept: number[] = [];
  const sleep = async (ms: number) => { slept.push(ms); };
  const meter = new FakeClockMeter({ clock: steppingClock(1), sources: { gpu: "counter", cpu: "none", dram: "none" }, gpuW: 100 });
  const temps = [70, 66, 63, 62.5, 62.2];
  let w = 0;
  const cooling = {
    begin: (name: string) => meter.begin(name),
    end: (name: string) => {
      const m = meter.end(name);
      const [a, b] = [temps[Math.min(w, temps.length - 1)], temps[Math.min(w + 1, temps.length - 1)]];
      w++;
      return { ...m, gpuState: { start: [{ index: 0, temperatureC: a, smClockMhz: 1980, powerW: 100 }], end: [{ index: 0, temperatureC: b, smClockMhz: 1980, powerW: 100 }] } };
    },
  };
  // power is idle at once (100 W within 5% of 96 W); the temperature falls 4, 3, 0.5 °C: settled in the third window
  assert.equal(await waitForIdle(cooling, { spec, idlePowerW: 96, sleep }), 3);
  assert.deepEqual(slept, [1000, 1000, 1000]);
});
