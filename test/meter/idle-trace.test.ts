// measureIdle sets a baseline that later windows subtract; trace() reads the shared sample ring.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { relative, requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

test("idle baseline at constant power: idle W ≈ configured W; a later window is all idle (dynamic ≈ 0, idleShare ≈ 1)", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  fake.configure({ power_w: 90 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20 });
  try {
    const idle = await meter.measureIdle(0.3);
    assert.ok(relative(idle.powerW.gpu0, 90) < 0.03, `idle ${idle.powerW.gpu0} W`);
    assert.equal(idle.totalPowerW, idle.powerW.gpu0);
    assert.deepEqual(meter.openWindows(), [], "the idle window does not linger");
    await meter.begin("w");
    await sleep(200);
    const window = await meter.end("w");
    assert.ok(window.idleShare !== null && window.idleShare > 0.9, `idleShare ${window.idleShare}`);
    assert.ok(window.dynamicEnergyJ < 0.1 * window.totalEnergyJ, `dynamic ${window.dynamicEnergyJ} of ${window.totalEnergyJ} J`);
    assert.equal(window.idleEnergyJ, idle.totalPowerW * window.seconds);
  } finally {
    await meter.close();
  }
});

test("trace: samples every sampleMs with watts per device key, filtered by time", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  fake.configure({ count: 2, power_w: "250,40" });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 10 });
  try {
    await sleep(250);
    const all = meter.trace();
    assert.ok(all.length >= 5, `${all.length} samples`);
    assert.deepEqual(all[all.length - 1].watts, { gpu0: 250, gpu1: 40 });
    for (let i = 1; i < all.length; i++) assert.ok(all[i].tMs > all[i - 1].tMs);
    const middle = all[Math.floor(all.length / 2)].tMs;
    const later = meter.trace(middle);
    assert.ok(later.length < all.length && later[0].tMs === middle);
    assert.deepEqual(meter.trace(0, all[0].tMs - 1), []);
  } finally {
    await meter.close();
  }
});
