// Against a simulated NVML counter (the C stand-in: 100 ms steps, a known power trace of 300 W for 7 ms then 500 W
// for 3 ms, 360 W on average): the meter probes the counter's period and step at open, a window repeated until it
// is long enough and aligned to the counter recovers the true energy within 1%, and a 0.2 s single window is flagged
// below resolution.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { MIN_RESOLVED_UPDATES } from "../../src/meter/resolution.js";
import type { Engine, GenerateRequest, GenerationResult } from "../../src/engine/types.js";
import { measureRepeated } from "../../src/sweep/repeated-window.js";
import { sweepMeter } from "../../src/lab/deps.js";
import { requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

const TRACE = "300:7,500:3";
const MEAN_W = (300 * 7 + 500 * 3) / 10;

/** An engine whose generation is `ms` of wall time (the GPU's work is the fake's power trace). */
function sleepyEngine(ms: number): Engine {
  return {
    info: { engine: "onnxruntime", device: "cpu", weightForm: "test", backendVersion: "sleep 1", contextLength: 0, loadS: 0 },
    async generate(request: GenerateRequest): Promise<GenerationResult> {
      const t0 = performance.now();
      await sleep(ms);
      const totalS = (performance.now() - t0) / 1000;
      return { outputIds: request.promptIds.map(() => [1]), inputTokens: 4, outputTokens: 1, prefillS: totalS, decodeStepS: [], totalS, peakRssBytes: 0 };
    },
    async dispose() {},
  } as unknown as Engine;
}

async function open(): Promise<Meter> {
  const fake = requireFake();
  fake.configure({ power_trace: TRACE, tick_ms: 100, temp_c: 61 });
  return Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20 });
}

test("the probe at open finds the counter's 100 ms period and its step", { skip: skipWithoutFake() }, async () => {
  const meter = await open();
  try {
    const r = meter.resolution();
    const gpu = r.channels.find((c) => c.key === "gpu0")!;
    assert.equal(gpu.basis, "probed");
    assert.ok(Math.abs(gpu.updateMs! - 100) < 8, `period ${gpu.updateMs} ms`);
    assert.ok(Math.abs(gpu.stepJ! - MEAN_W * 0.1) < 0.05 * MEAN_W * 0.1, `step ${gpu.stepJ} J`);
    assert.ok(r.updateS !== null && Math.abs(r.updateS - 0.1) < 0.008);
    assert.deepEqual(meter.describe().resolution?.map((c) => c.key), ["gpu0"]);
  } finally {
    await meter.close();
  }
});

test("repeated, counter-aligned windows recover the true energy within 1%; one generation's share is the window ÷ count", { skip: skipWithoutFake() }, async () => {
  const meter = await open();
  try {
    const m = sweepMeter(meter);
    for (let i = 0; i < 3; i++) {
      const r = await measureRepeated(sleepyEngine(70), m, { promptIds: [[1, 2, 3, 4]], maxNewTokens: 1, fixedLength: true }, `rep${i}`);
      const trueJ = MEAN_W * r.window.seconds;
      const error = Math.abs(r.window.gpuEnergyJ - trueJ) / trueJ;
      assert.ok(error < 0.01, `window ${i}: ${r.window.gpuEnergyJ.toFixed(2)} J vs ${trueJ.toFixed(2)} J over ${r.window.seconds.toFixed(3)} s (${(100 * error).toFixed(2)}%)`);
      assert.ok(r.window.seconds >= 2 - 0.01, "20 updates of 100 ms (or 2 s) before it stops");
      assert.ok(r.count >= 3);
      assert.ok(Math.abs(r.per.gpuEnergyJ * r.count - r.window.gpuEnergyJ) < 1e-9);
      assert.ok(Math.abs(r.per.gpuEnergyJ - MEAN_W * r.per.seconds) / (MEAN_W * r.per.seconds) < 0.01);
      assert.ok(r.window.counterUpdates! >= 20 - 0.5 && r.window.belowResolution === false);
    }
  } finally {
    await meter.close();
  }
});

test("a 0.2 s single window spans 2 counter updates: flagged below resolution; its GPU state is recorded", { skip: skipWithoutFake() }, async () => {
  const meter = await open();
  try {
    await meter.begin("short");
    await sleep(200);
    const w = await meter.end("short");
    assert.ok(w.counterUpdates! > 1.5 && w.counterUpdates! < 3, `${w.counterUpdates} updates`);
    assert.ok(w.counterUpdates! < MIN_RESOLVED_UPDATES);
    assert.equal(w.belowResolution, true);
    // 61 °C and the SM clock from the stand-in, power from the latest sample
    assert.equal(w.gpuState?.start[0].temperatureC, 61);
    assert.equal(w.gpuState?.end[0].smClockMhz, 1980);
    assert.ok([300, 500].includes(w.gpuState!.end[0].powerW!));
    assert.ok(w.peakPowerW === null || w.peakPowerW <= 500, "peaks are samples, never averages");
  } finally {
    await meter.close();
  }
});
