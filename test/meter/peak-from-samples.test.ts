// Peak power is the largest power sample inside a window, never a counter average: a short window that
// happens to span one counter step must not report the step's energy over its few milliseconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChannelInfo } from "../../src/meter/devices/channel.js";
import { measureWindow } from "../../src/meter/measure.js";
import type { Snapshot } from "../../src/meter/sampler-protocol.js";
import { Meter } from "../../src/meter/index.js";
import { peakOf } from "../../src/sweep/record-build.js";
import { requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

const gpu: ChannelInfo = { key: "gpu0", kind: "gpu", label: "G", index: 0, hasCounter: true, powerSource: "integrated" };
const snap = (tMs: number, counterJ: number): Snapshot => ({ tMs, channels: { gpu0: { counterJ, epoch: 0, integratedJ: null } } });

test("a 15 ms window spanning one 35 J counter step: average 2,333 W, peak = the largest sample or none", () => {
  const sampled = measureWindow({ name: "p", channels: [gpu], begin: snap(0, 1000), end: snap(15, 1035), peaks: { peakPowerW: 410, memoryMb: {} }, idle: null });
  assert.ok(Math.abs(sampled.avgPowerW - 35 / 0.015) < 1e-6, "the average is what it is");
  assert.equal(sampled.peakPowerW, 410, "the peak is the sample's, not the average");
  const unsampled = measureWindow({ name: "p", channels: [gpu], begin: snap(0, 1000), end: snap(15, 1035), peaks: null, idle: null });
  assert.equal(unsampled.peakPowerW, null);
  const emptyPeaks = measureWindow({ name: "p", channels: [gpu], begin: snap(0, 1000), end: snap(15, 1035), peaks: { peakPowerW: null, memoryMb: {} }, idle: null });
  assert.equal(emptyPeaks.peakPowerW, null);
});

test("a row's peak is the largest of its windows' sample peaks; null when none held a sample", () => {
  assert.equal(peakOf([300, null, 450]), 450);
  assert.equal(peakOf([null, null]), null);
  assert.equal(peakOf([]), null);
});

test("through the real sampler and a stepped counter: peak never exceeds the largest power sample", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  // 400 W with 100 ms counter steps (40 J each), sampled every 20 ms.
  fake.configure({ power_w: 400, tick_ms: 100 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20 });
  try {
    const peaks: (number | null)[] = [];
    for (let i = 0; i < 12; i++) {
      await meter.begin(`short${i}`);
      await sleep(3 + (i % 4) * 4);
      const w = await meter.end(`short${i}`);
      peaks.push(w.peakPowerW);
      if (w.peakPowerW !== null) assert.ok(w.peakPowerW <= 400 + 1e-9, `window ${i}: peak ${w.peakPowerW} W above the 400 W samples (average ${w.avgPowerW} W)`);
    }
    await meter.begin("long");
    await sleep(250);
    const long = await meter.end("long");
    assert.ok(long.peakPowerW !== null && Math.abs(long.peakPowerW - 400) < 1e-6, `long window peak ${long.peakPowerW}`);
  } finally {
    await meter.close();
  }
});
