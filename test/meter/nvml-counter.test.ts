// GPU energy from the NVML energy counter (source `counter`), through koffi and the sampler thread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { relative, requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

test("a window's GPU joules come from the energy counter: configured W × window seconds", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  fake.configure({ count: 2, power_w: "250,100", mem_used_mb: 4000 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, gpus: "visible", cpu: "none", sampleMs: 20 });
  try {
    const description = meter.describe();
    assert.equal(description.gpu.source, "nvml");
    assert.equal(description.gpu.driverVersion, "999.99.fake");
    assert.deepEqual(description.channels, ["gpu0", "gpu1"]);
    assert.deepEqual(description.gpu.devices.map((gpu) => [gpu.name, gpu.energyCounter, gpu.powerLimitW, gpu.memoryTotalMb]), [
      ["Fake NVML GPU 0", true, 700, 81920],
      ["Fake NVML GPU 1", true, 700, 81920],
    ]);

    await meter.begin("run");
    await sleep(400);
    const window = await meter.end("run");
    assert.equal(window.sources.gpu, "counter");
    assert.ok(window.seconds > 0.3, `window lasted ${window.seconds} s`);
    const [gpu0, gpu1] = window.gpus;
    assert.equal(gpu0.source, "counter");
    // Exact but for the µs between taking a sample's time and reading the counter (more if the thread is
    // preempted on a busy machine): 3%.
    assert.ok(relative(gpu0.energyJ, 250 * window.seconds) < 0.03, `gpu0 ${gpu0.energyJ} J vs ${250 * window.seconds}`);
    assert.ok(relative(gpu1.energyJ, 100 * window.seconds) < 0.03, `gpu1 ${gpu1.energyJ} J vs ${100 * window.seconds}`);
    assert.equal(window.gpuEnergyJ, gpu0.energyJ + gpu1.energyJ);
    assert.equal(window.totalEnergyJ, window.gpuEnergyJ);
    assert.equal(window.cpuEnergyJ, 0);
    assert.equal(window.sources.cpu, "none");
    // Memory comes from samples: 4000 MiB on gpu0, 4001 on gpu1 (the fake adds the index).
    assert.deepEqual(window.gpus.map((gpu) => gpu.peakMemoryMb), [4000, 4001]);
    assert.equal(window.peakGpuMemoryMb, 8001);
    assert.ok(relative(window.peakPowerW ?? 0, 350) < 0.03, `peak ${window.peakPowerW} W`);
    assert.ok(relative(window.avgPowerW, 350) < 0.03);
    assert.equal(window.idleShare, null);
    assert.equal(window.dynamicEnergyJ, window.totalEnergyJ);
  } finally {
    await meter.close();
  }
});

test("a window shorter than one sampling period still reports the GPU memory last seen", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  fake.configure({ power_w: 50, mem_used_mb: 1234 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 1000 });
  try {
    await meter.begin("short");
    const window = await meter.end("short");
    assert.equal(window.gpus[0].peakMemoryMb, 1234);
    assert.equal(window.sources.gpu, "counter");
  } finally {
    await meter.close();
  }
});
