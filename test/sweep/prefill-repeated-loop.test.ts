// The repeated-prefill loop: one meter window around prefill-only generations that stops only when both
// the minimum duration and the minimum count are reached, divided by the count; a throw cancels the window.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GenerateRequest, GenerationHooks, GenerationResult } from "../../src/engine/types.js";
import type { WindowMeasurement } from "../../src/meter/types.js";
import { divideWindow, measureRepeatedPrefill } from "../../src/sweep/prefill-energy.js";
import { CountingEngine, FakeClockMeter, OutOfMemoryError } from "./support/stand-ins.js";

/** Virtual time: each generate takes exactly `stepS`; the meter and the loop read the same clock. */
class TimedEngine extends CountingEngine {
  t = 0;
  readonly requests: { request: GenerateRequest; hooked: boolean }[] = [];
  constructor(private readonly stepS: number, private readonly failOnCall: number | null = null) { super(); }
  override async generate(request: GenerateRequest, hooks?: GenerationHooks): Promise<GenerationResult> {
    this.requests.push({ request, hooked: hooks !== undefined });
    if (this.requests.length === this.failOnCall) throw new OutOfMemoryError(`out of memory on call ${this.failOnCall}`);
    const result = await super.generate(request, hooks);
    this.t += this.stepS;
    return result;
  }
}

const prompts = [[256, 1, 2, 3, 4, 5, 6, 7], [256, 9, 8, 7, 6, 5, 4, 3]];

function wired(stepS: number, failOnCall: number | null = null) {
  const engine = new TimedEngine(stepS, failOnCall);
  const meter = new FakeClockMeter({ clock: () => engine.t, gpuW: 100, cpuW: 20, dramW: 5, sources: { gpu: "counter", cpu: "estimated", dram: "none" } });
  return { engine, meter, clockS: () => engine.t };
}

test("the loop runs past the minimum count until the minimum duration is reached", async () => {
  const { engine, meter, clockS } = wired(0.1);
  const r = await measureRepeatedPrefill(engine, meter, prompts, "w1:prefill-repeated", { minSeconds: 0.45, minCount: 3, clockS });
  assert.equal(r.count, 5, "0.1 s per prefill: 5 prefills to pass 0.45 s");
  assert.ok(Math.abs(r.window.seconds - 0.5) < 1e-12);
  assert.deepEqual(meter.ended, ["w1:prefill-repeated"], "one window for the whole loop");
  assert.equal(meter.open.size, 0);
});

test("the loop runs past the minimum duration until the minimum count is reached", async () => {
  const { engine, meter, clockS } = wired(0.1);
  const r = await measureRepeatedPrefill(engine, meter, prompts, "w", { minSeconds: 0.15, minCount: 4, clockS });
  assert.equal(r.count, 4, "0.15 s passes after 2 prefills, the count asks for 4");
  const none = await measureRepeatedPrefill(engine, meter, prompts, "w2", { minSeconds: 0, minCount: 3, clockS });
  assert.equal(none.count, 3);
});

test("each prefill is the same prompts with one new token, unhooked; the window divides by the count", async () => {
  const { engine, meter, clockS } = wired(0.1);
  const r = await measureRepeatedPrefill(engine, meter, prompts, "w", { minSeconds: 0.45, minCount: 3, clockS });
  assert.equal(engine.requests.length, 5);
  for (const { request, hooked } of engine.requests) {
    assert.deepEqual(request, { promptIds: prompts, maxNewTokens: 1, fixedLength: true });
    assert.equal(hooked, false, "the loop's window is opened around the calls, not at their hooks");
  }
  assert.equal(r.inputTokens, 16);
  // window 0.5 s × (100 + 20) W = 60 J over 5 prefills
  assert.ok(Math.abs(r.window.totalEnergyJ - 60) < 1e-9);
  assert.ok(Math.abs(r.perPrefill.totalEnergyJ - 12) < 1e-9);
  assert.ok(Math.abs(r.perPrefill.gpuEnergyJ - 10) < 1e-9);
  assert.ok(Math.abs(r.perPrefill.cpuEnergyJ - 2) < 1e-9);
  assert.ok(Math.abs(r.perPrefill.seconds - 0.1) < 1e-12);
  assert.deepEqual(r.perPrefill.sources, { gpu: "counter", cpu: "estimated", dram: "none" });
});

test("a throw inside the loop cancels its window and propagates the error", async () => {
  const { engine, meter, clockS } = wired(0.1, 3);
  await assert.rejects(measureRepeatedPrefill(engine, meter, prompts, "w9:prefill-repeated", { minSeconds: 1, minCount: 3, clockS }), OutOfMemoryError);
  assert.deepEqual(meter.cancelled, ["w9:prefill-repeated"]);
  assert.deepEqual(meter.ended, [], "no measurement was taken from a broken loop");
  assert.equal(meter.open.size, 0);
});

test("bad minimums are refused before a window opens", async () => {
  const { engine, meter, clockS } = wired(0.1);
  await assert.rejects(measureRepeatedPrefill(engine, meter, prompts, "w", { minSeconds: 1, minCount: 0, clockS }), /minCount/);
  await assert.rejects(measureRepeatedPrefill(engine, meter, prompts, "w", { minSeconds: -1, minCount: 3, clockS }), /prefill_min_s/);
  assert.equal(meter.open.size + meter.ended.length, 0);
});

test("divideWindow divides energies, seconds and carbon; keeps powers, shares and peaks", () => {
  const w: WindowMeasurement = {
    name: "w", seconds: 2, gpus: [{ index: 0, name: "G", energyJ: 600, source: "counter", peakMemoryMb: 10 }, { index: 1, name: "G", energyJ: 300, source: "counter", peakMemoryMb: 12 }],
    gpuEnergyJ: 900, cpuEnergyJ: 90, dramEnergyJ: 30, totalEnergyJ: 1020, dynamicEnergyJ: 820, idleShare: 200 / 1020,
    avgPowerW: 510, peakPowerW: 700, peakGpuMemoryMb: 12, sources: { gpu: "counter", cpu: "counter", dram: "counter" },
    idleEnergyJ: 200, carbon: { intensityGPerKwh: 400, source: "fixed", zone: null, year: null, pue: 1, gramsCo2eq: 0.12 },
  };
  const d = divideWindow(w, 4);
  assert.deepEqual(d.gpus.map((g) => g.energyJ), [150, 75]);
  assert.deepEqual([d.seconds, d.gpuEnergyJ, d.cpuEnergyJ, d.dramEnergyJ, d.totalEnergyJ, d.dynamicEnergyJ, d.idleEnergyJ], [0.5, 225, 22.5, 7.5, 255, 205, 50]);
  assert.equal(d.carbon?.gramsCo2eq, 0.03);
  assert.deepEqual([d.avgPowerW, d.peakPowerW, d.idleShare, d.peakGpuMemoryMb], [510, 700, 200 / 1020, 12]);
  assert.equal(w.totalEnergyJ, 1020, "the original is untouched");
  assert.throws(() => divideWindow(w, 0), /positive integer/);
});

test("the window's length: 2 s or 20 counter updates, whichever is shorter, never under 10 updates unless asked", async () => {
  const { minimumWindowS } = await import("../../src/sweep/repeated-window.js");
  const p = { minSeconds: 2, minUpdates: 20, minCount: 3 };
  assert.equal(minimumWindowS(p, 0.1), 2, "NVML's 100 ms counter: 20 updates = 2 s");
  assert.ok(Math.abs(minimumWindowS(p, 0.01) - 0.2) < 1e-12, "CPU time's 10 ms ticks: 0.2 s");
  assert.ok(Math.abs(minimumWindowS(p, 0.001) - 0.02) < 1e-12, "RAPL's ~1 ms: the count decides in practice");
  assert.equal(minimumWindowS(p, null), 2, "unknown period: the seconds");
  assert.equal(minimumWindowS({ ...p, minSeconds: 0.2 }, 0.1), 1, "a CPU-sized 0.2 s on a GPU counter still spans 10 updates");
  assert.equal(minimumWindowS({ ...p, minSeconds: 0.2, minUpdates: 0 }, 0.1), 0.2, "min_window_updates 0: the seconds alone, on purpose");
});
