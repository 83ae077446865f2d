// When the energy counter is unsupported, fails, or resets, a window integrates power samples instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { relative, requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

const skip = skipWithoutFake();

async function oneWindow(settings: Record<string, string | number>, waitMs: number) {
  const fake = requireFake();
  fake.configure(settings);
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20 });
  try {
    await meter.begin("w");
    await sleep(waitMs);
    return { window: await meter.end("w"), description: meter.describe() };
  } finally {
    await meter.close();
  }
}

test("counter NOT_SUPPORTED at open: windows integrate power (source integrated)", { skip }, async () => {
  const { window, description } = await oneWindow({ power_w: 300, counter_rc: 3 }, 300);
  assert.equal(description.gpu.devices[0].energyCounter, false);
  assert.match(description.gpu.notes.join("\n"), /GPU 0 .* has no energy counter/);
  assert.equal(window.gpus[0].source, "integrated");
  assert.equal(window.sources.gpu, "integrated");
  // Constant power: the trapezoid between the begin and end samples is exact.
  assert.ok(relative(window.gpuEnergyJ, 300 * window.seconds) < 1e-6, `${window.gpuEnergyJ} J over ${window.seconds} s`);
});

test("counter that starts failing mid-run: the window falls back to integration", { skip }, async () => {
  const { window, description } = await oneWindow({ power_w: 200, counter_rc: 999, counter_rc_after_ms: 250 }, 500);
  assert.equal(description.gpu.devices[0].energyCounter, true, "the counter answered at open");
  assert.equal(window.gpus[0].source, "integrated");
  assert.ok(relative(window.gpuEnergyJ, 200 * window.seconds) < 1e-6, `${window.gpuEnergyJ} J over ${window.seconds} s`);
});

test("counter reset (goes back to 0) inside a window: integration, not a negative or huge figure", { skip }, async () => {
  const { window } = await oneWindow({ power_w: 150, reset_after_ms: 250 }, 500);
  assert.equal(window.gpus[0].source, "integrated");
  assert.ok(relative(window.gpuEnergyJ, 150 * window.seconds) < 1e-6, `${window.gpuEnergyJ} J over ${window.seconds} s`);
});

test("a window wholly after a counter reset uses the counter again", { skip }, async () => {
  const fake = requireFake();
  fake.configure({ power_w: 150, reset_after_ms: 150 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20 });
  try {
    await sleep(300);
    await meter.begin("after");
    await sleep(200);
    const window = await meter.end("after");
    assert.equal(window.gpus[0].source, "counter");
    assert.ok(relative(window.gpuEnergyJ, 150 * window.seconds) < 0.03, `${window.gpuEnergyJ} J over ${window.seconds} s`);
  } finally {
    await meter.close();
  }
});

test("power readings failing too: the counter still serves the window", { skip }, async () => {
  const { window, description } = await oneWindow({ power_w: 120, power_rc: 3 }, 200);
  assert.equal(description.gpu.devices[0].powerReadings, false);
  assert.equal(window.gpus[0].source, "counter");
  assert.ok(relative(window.gpuEnergyJ, 120 * window.seconds) < 0.03);
});
