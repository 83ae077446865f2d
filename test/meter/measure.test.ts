// From two snapshots to a WindowMeasurement: which source wins, and the idle-baseline arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChannelInfo } from "../../src/meter/devices/channel.js";
import { channelEnergy, idleBaselineFrom, measureWindow, totalSource, weakestSource } from "../../src/meter/measure.js";
import type { Snapshot } from "../../src/meter/sampler-protocol.js";
import type { FigureSource } from "../../src/meter/types.js";

const gpu: ChannelInfo = { key: "gpu0", kind: "gpu", label: "G", index: 0, hasCounter: true, powerSource: "integrated" };
const cpu: ChannelInfo = { key: "cpu", kind: "cpu", label: "estimate", index: -1, hasCounter: false, powerSource: "estimated" };
const snap = (tMs: number, counterJ: number | null, epoch: number, integratedJ: number | null, cpuJ = 0): Snapshot => ({
  tMs,
  channels: { gpu0: { counterJ, epoch, integratedJ }, cpu: { counterJ: null, epoch: 0, integratedJ: cpuJ } },
});

test("the counter wins when both ends read it in one epoch and it did not go down; otherwise integration", () => {
  assert.deepEqual(channelEnergy(gpu, snap(0, 1000, 0, 5), snap(1000, 1300, 0, 305)), { energyJ: 300, source: "counter" });
  assert.deepEqual(channelEnergy(gpu, snap(0, 1000, 0, 5), snap(1000, null, 0, 295)), { energyJ: 290, source: "integrated" }, "end read failed");
  assert.deepEqual(channelEnergy(gpu, snap(0, null, 0, 5), snap(1000, 1300, 0, 295)), { energyJ: 290, source: "integrated" }, "begin read failed");
  assert.deepEqual(channelEnergy(gpu, snap(0, 1000, 0, 5), snap(1000, 2000, 1, 295)), { energyJ: 290, source: "integrated" }, "reset in between, counter grew past");
  assert.deepEqual(channelEnergy(gpu, snap(0, 1000, 0, 5), snap(1000, 10, 0, 295)), { energyJ: 290, source: "integrated" }, "went down");
  assert.deepEqual(channelEnergy(gpu, snap(0, 1000, 0, null), snap(1000, null, 0, null)), { energyJ: 0, source: "none" });
  assert.deepEqual(channelEnergy(cpu, snap(0, null, 0, null, 2), snap(1000, null, 0, null, 9)), { energyJ: 7, source: "estimated" });
});

test("weakest source decides a sum's label", () => {
  assert.equal(weakestSource(["counter", "integrated"]), "integrated");
  assert.equal(weakestSource(["counter", "counter"]), "counter");
  assert.equal(weakestSource(["counter", "estimated", "integrated"]), "estimated");
  assert.equal(weakestSource([]), "none");
  assert.equal(weakestSource(["counter", "none"]), "none", "a term without a figure leaves the sum without one");
});

test("a total over device kinds counts the kinds measured: one the machine lacks is no term, one a window missed is", () => {
  const w = (gpu: FigureSource, cpu: FigureSource, dram: FigureSource) => ({ sources: { gpu, cpu, dram } });
  assert.equal(totalSource([w("counter", "estimated", "none")]), "estimated", "no DRAM domain: GPU and CPU make the total");
  assert.equal(totalSource([w("counter", "none", "none"), w("counter", "none", "none")]), "counter");
  assert.equal(totalSource([w("counter", "integrated", "none"), w("none", "integrated", "none")]), "none", "one window gave the GPU no figure");
  assert.equal(totalSource([w("none", "none", "none")]), "none");
  assert.equal(totalSource([]), "none");
});

test("idle baseline: idle W per channel; dynamic = total − idle W × s (clamped at 0); idleShare = idle J / total J", () => {
  const idle = idleBaselineFrom([gpu, cpu], snap(0, 0, 0, 0, 0), snap(2000, 160, 0, 0, 40));
  assert.deepEqual(idle, { seconds: 2, powerW: { gpu0: 80, cpu: 20 }, totalPowerW: 100 });
  const busy = measureWindow({ name: "w", channels: [gpu, cpu], begin: snap(0, 0, 0, 0, 0), end: snap(4000, 1200, 0, 0, 200), peaks: { peakPowerW: 500, memoryMb: { gpu0: 1234 } }, idle });
  assert.equal(busy.totalEnergyJ, 1400);
  assert.equal(busy.idleEnergyJ, 400);
  assert.equal(busy.dynamicEnergyJ, 1000);
  assert.equal(busy.idleShare, 400 / 1400);
  assert.equal(busy.avgPowerW, 350);
  assert.equal(busy.peakPowerW, 500);
  assert.equal(busy.peakGpuMemoryMb, 1234);
  assert.deepEqual(busy.sources, { gpu: "counter", cpu: "estimated", dram: "none" });
  const quiet = measureWindow({ name: "q", channels: [gpu, cpu], begin: snap(0, 0, 0, 0, 0), end: snap(1000, 50, 0, 0, 10), peaks: null, idle });
  assert.equal(quiet.dynamicEnergyJ, 0);
  assert.equal(quiet.idleShare, 1);
  assert.equal(quiet.peakPowerW, null, "no sample inside: no peak (never the window's average)");
  const none = measureWindow({ name: "n", channels: [gpu, cpu], begin: snap(0, 0, 0, 0, 0), end: snap(1000, 50, 0, 0, 10), peaks: null, idle: null });
  assert.equal(none.idleShare, null);
  assert.equal(none.dynamicEnergyJ, none.totalEnergyJ);
});
