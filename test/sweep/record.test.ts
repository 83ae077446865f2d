import { test } from "node:test";
import assert from "node:assert/strict";
import type { WindowMeasurement } from "../../src/meter/types.js";
import { pairedFigure, RECORD_COLUMNS, type RecordContext } from "../../src/sweep/record.js";
import { completedRecord, failedRecord } from "../../src/sweep/record-build.js";
import { fixedIntensityCarbon, windowCarbon } from "../../src/sweep/record-carbon.js";
import { DEFAULT_BASE } from "../../src/sweep/spec.js";

function window(name: string, seconds: number, gpuJ: number, cpuJ: number, dramJ: number, sources: WindowMeasurement["sources"]): WindowMeasurement {
  const total = gpuJ + cpuJ + dramJ;
  return {
    name, seconds, gpus: [{ index: 0, name: "G", energyJ: gpuJ, source: sources.gpu, peakMemoryMb: 700 }], gpuEnergyJ: gpuJ, cpuEnergyJ: cpuJ,
    dramEnergyJ: dramJ, totalEnergyJ: total, dynamicEnergyJ: total, idleShare: null, avgPowerW: total / seconds, peakPowerW: 2 * total / seconds,
    peakGpuMemoryMb: name === "decode" ? 900 : 700, sources,
  };
}

const ctx: RecordContext = {
  sweep: "s", key: "k", repetition: 1, seed: 0, fixedLength: true, chatTemplate: false, config: { ...DEFAULT_BASE, batchSize: 2, inputLength: 4, outputLength: 3 },
  engineInfo: null, modelDir: null, modelManifestHash: null,
  metadata: { gpu_model: null, gpu_driver: null, cpu_model: null, hostname: null, os: null, node_version: null, wattlab_version: null, git_commit: null },
  startedAt: new Date(0), endedAt: new Date(1000), idlePowerW: null, cooldownS: null,
};
const result = { outputIds: [[1, 2, 3], [4, 5, 6]], inputTokens: 8, outputTokens: 6, prefillS: 0.5, decodeStepS: [0.1, 0.3], totalS: 0.9, peakRssBytes: 64 * 1024 * 1024 };

test("all measured (counter + integrated): measured columns only; derived figures follow", () => {
  const sources = { gpu: "counter", cpu: "integrated", dram: "integrated" } as const;
  const row = completedRecord(ctx, { result, prefill: window("prefill", 0.5, 40, 8, 2, sources), decode: window("decode", 0.4, 30, 6, 4, sources), carbon: fixedIntensityCarbon(100, "test") });
  assert.deepEqual(Object.keys(row), [...RECORD_COLUMNS]);
  assert.equal(row.energy_total_j_measured, 90);
  assert.equal(row.energy_total_j_estimated, null);
  assert.equal(row.prefill_energy_j_measured, 50);
  assert.equal(row.decode_energy_j_measured, 40);
  assert.equal(row.prefill_j_per_input_token_measured, 50 / 8);
  assert.equal(row.decode_j_per_output_token_measured, 40 / (6 - 2), "decode J over the tokens decode steps made (each row's first is prefill's)");
  assert.equal(row.j_per_output_token_measured, 90 / 6, "the whole generation per output token (src/quantities.ts)");
  assert.equal(row.gpu_j_per_output_token_measured, 70 / 6);
  assert.equal(row.gpu_j_per_input_token_measured, 40 / 8);
  assert.equal(row.measurement, "window");
  assert.equal(row.generations, 1);
  assert.equal(row.avg_power_w_measured, 100);
  assert.equal(row.peak_power_w_measured, 200);
  assert.equal(row.peak_gpu_memory_mb, 900);
  assert.equal(row.peak_rss_mb, 64);
  assert.equal(row.latency_decode_s, 0.4);
  assert.ok(Math.abs((row.decode_step_p50_s as number) - 0.2) < 1e-12);
  assert.ok(Math.abs((row.decode_step_p90_s as number) - 0.28) < 1e-12);
  assert.equal(row.throughput_tokens_per_s, 6 / 0.9);
  assert.equal(row.decode_tokens_per_s, (6 - 2) / 0.4, "decode makes all but each row's first token");
  assert.equal(row.gco2eq_measured, (90 / 3.6e6) * 100);
  assert.equal(row.energy_source, "gpu:counter cpu:integrated dram:integrated");
  assert.deepEqual(pairedFigure(row, "energy_total_j"), { value: 90, estimated: false });
  assert.equal(row.idle_share, null);
});

test("carbon computed by the meter's windows is used as is, with its source", () => {
  const sources = { gpu: "counter", cpu: "estimated", dram: "none" } as const;
  const carbon = (g: number) => ({ intensityGPerKwh: 56, source: "tgwf-co2-yearly" as const, zone: "FRA", year: 2024, pue: 1.2, gramsCo2eq: g });
  const prefill = { ...window("prefill", 1, 10, 1, 0, sources), carbon: carbon(0.5) };
  const decode = { ...window("decode", 1, 10, 1, 0, sources), carbon: carbon(0.25) };
  const row = completedRecord(ctx, { result, prefill, decode, carbon: windowCarbon(prefill, decode, fixedIntensityCarbon(999)) });
  assert.equal(row.gco2eq_estimated, 0.75, "energy with an estimated part makes the carbon an estimate too");
  assert.equal(row.gco2eq_measured, null);
  assert.equal(row.carbon_source, "tgwf-co2-yearly FRA 2024, 56 g/kWh × PUE 1.2");
  assert.equal(row.carbon_intensity_g_per_kwh, 56);
  assert.equal(row.dram_energy_j_measured, null);
  assert.equal(row.gpu_energy_j_measured, 20);
  assert.equal(row.cpu_energy_j_estimated, 2);
});

test("a failed record keeps the configuration and the error", () => {
  const row = failedRecord(ctx, Object.assign(new Error("boom"), { name: "OutOfMemoryError" }));
  assert.equal(row.state, "failed");
  assert.equal(row.batch_size, 2);
  assert.deepEqual([row.error_name, row.error_message], ["OutOfMemoryError", "boom"]);
  assert.equal(row.energy_total_j_measured, null);
});

test("a window that gave the GPU no figure leaves the GPU's and the total's figures empty; a kind the machine lacks does not", () => {
  const row = completedRecord(ctx, {
    result, prefill: window("prefill", 0.5, 0, 8, 0, { gpu: "none", cpu: "integrated", dram: "none" }),
    decode: window("decode", 0.4, 30, 6, 0, { gpu: "counter", cpu: "integrated", dram: "none" }), carbon: fixedIntensityCarbon(100, "test"),
  });
  assert.deepEqual([row.gpu_energy_source, row.gpu_energy_j_measured, row.energy_total_j_measured, row.energy_total_j_estimated], ["none", null, null, null]);
  assert.equal(row.cpu_energy_j_measured, 14, "the CPU's own figure stands");
  const noDram = completedRecord(ctx, {
    result, prefill: window("prefill", 0.5, 40, 8, 0, { gpu: "counter", cpu: "integrated", dram: "none" }),
    decode: window("decode", 0.4, 30, 6, 0, { gpu: "counter", cpu: "integrated", dram: "none" }), carbon: fixedIntensityCarbon(100, "test"),
  });
  assert.equal(noDram.energy_total_j_measured, 84, "no DRAM domain: GPU and CPU make the total");
});

test("a generation without decode steps leaves its step percentiles empty (null), never NaN", () => {
  const sources = { gpu: "counter", cpu: "none", dram: "none" } as const;
  const row = completedRecord(ctx, { result: { ...result, decodeStepS: [] }, prefill: window("prefill", 0.5, 40, 0, 0, sources), decode: window("decode", 0.4, 30, 0, 0, sources), carbon: fixedIntensityCarbon(100, "test") });
  assert.deepEqual([row.decode_step_p50_s, row.decode_step_p90_s], [null, null]);
});

test("what the windows resolved and the GPU's state at their ends land in the row", () => {
  const sources = { gpu: "counter", cpu: "none", dram: "none" } as const;
  const state = (t: number, mhz: number, w: number) => [{ index: 0, temperatureC: t, smClockMhz: mhz, powerW: w }, { index: 1, temperatureC: t - 5, smClockMhz: mhz + 10, powerW: w / 2 }];
  const generation = { ...window("generation", 2.5, 800, 0, 0, sources), counterUpdates: 25, belowResolution: false, gpuState: { start: state(55, 1980, 120), end: state(71, 1755, 600) }, machineBusyShare: 0.1 };
  const prefill = { ...window("prefill", 0.05, 20, 0, 0, sources), counterUpdates: 21, belowResolution: false, gpuState: { start: state(71, 1755, 600), end: state(72, 1740, 580) }, machineBusyShare: 0.4 };
  const decode = { ...window("decode", 2.45, 780, 0, 0, sources), counterUpdates: 21, belowResolution: false };
  const row = completedRecord({ ...ctx, counter: { updateMs: 100, stepJ: 38 }, protocol: { text: "p", hash: "h" } },
    { result, results: [result, result, result], generation, prefill, decode, measurement: "repeated", generationWindow: { count: 3, seconds: 7.5 }, carbon: fixedIntensityCarbon(100, "test") });
  assert.deepEqual([row.measurement, row.generations, row.generation_window_s, row.counter_updates, row.below_resolution, row.prefill_counter_updates, row.prefill_below_resolution],
    ["repeated", 3, 7.5, 25, false, 21, false]);
  assert.deepEqual([row.counter_update_ms, row.counter_step_j, row.protocol, row.protocol_hash], [100, 38, "p", "h"]);
  // hottest GPU, slowest SM clock, summed power: at the generation window's start and the prefill window's end
  assert.deepEqual([row.gpu_temp_start_c, row.gpu_sm_clock_start_mhz, row.gpu_power_start_w], [55, 1980, 180]);
  assert.deepEqual([row.gpu_temp_end_c, row.gpu_sm_clock_end_mhz, row.gpu_power_end_w], [72, 1740, 870]);
  assert.equal(row.machine_busy_share, 0.4, "the busiest of the run's windows");
  assert.equal(row.energy_total_j_measured, 800, "one generation's share");
  assert.equal(row.j_per_output_token_measured, 800 / 6);
  assert.ok(Math.abs((row.decode_step_p50_s as number) - 0.2) < 1e-12, "percentiles over every generation's steps");
});
