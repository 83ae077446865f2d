// nvidia-smi as a fallback power source (integrated) and as device facts, via node-nvidia-smi.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describeMeters, formatMeterInfo, Meter } from "../../src/meter/index.js";
import { parseSmiLog } from "../../src/meter/devices/smi-gpus.js";

const xml = (gpus: string): string => `<?xml version="1.0" ?>
<nvidia_smi_log><driver_version>580.159.03</driver_version><cuda_version>13.0</cuda_version><attached_gpus>2</attached_gpus>${gpus}</nvidia_smi_log>`;
const gpuXml = (name: string, uuid: string, watts: string) =>
  `<gpu id="00000000:18:00.0"><product_name>${name}</product_name><uuid>${uuid}</uuid>` +
  `<fb_memory_usage><total>143771 MiB</total><used>2048 MiB</used><free>141723 MiB</free></fb_memory_usage>` +
  `<gpu_power_readings><power_draw>${watts}</power_draw><current_power_limit>700.00 W</current_power_limit></gpu_power_readings>` +
  `<clocks><sm_clock>1980 MHz</sm_clock><mem_clock>3201 MHz</mem_clock></clocks></gpu>`;

test("parseSmiLog reads old (power_readings) and new (gpu_power_readings) layouts, one GPU or several", () => {
  const one = parseSmiLog({ nvidia_smi_log: { driver_version: "535.1", gpu: { product_name: "A100", uuid: "GPU-1", power_readings: { power_draw: "61.50 W", enforced_power_limit: "400.00 W" }, fb_memory_usage: { total: "81920 MiB", used: "5 MiB" } } } });
  assert.equal(one.gpus.length, 1);
  assert.deepEqual([one.gpus[0].powerW, one.gpus[0].powerLimitW, one.gpus[0].memoryUsedMb], [61.5, 400, 5]);
  assert.equal(one.driverVersion, "535.1");
  const two = parseSmiLog({ nvidia_smi_log: { gpu: [{ product_name: "H200", gpu_power_readings: { instant_power_draw: "N/A", average_power_draw: "120.25 W" } }, { product_name: "H200" }] } });
  assert.deepEqual(two.gpus.map((gpu) => [gpu.index, gpu.powerW, gpu.powerReadings]), [[0, 120.25, true], [1, null, false]]);
});

test("NVML missing but nvidia-smi present: GPUs metered by integrated nvidia-smi power; info lists the facts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-smi-"));
  writeFileSync(join(dir, "smi.xml"), xml(gpuXml("NVIDIA H200", "GPU-1111", "300.00 W") + gpuXml("NVIDIA H200", "GPU-2222", "100.00 W")));
  const script = join(dir, "nvidia-smi");
  writeFileSync(script, `#!/bin/sh\ncat "${join(dir, "smi.xml")}"\n`);
  chmodSync(script, 0o755);
  const saved = { path: process.env.PATH, visible: process.env.CUDA_VISIBLE_DEVICES };
  process.env.PATH = `${dir}${delimiter}${saved.path}`;
  process.env.CUDA_VISIBLE_DEVICES = "1";
  try {
    const meter = await Meter.open({ nvmlLibraryPath: "/nonexistent/libnvidia-ml.so.1", cpu: "none", sampleMs: 20 });
    try {
      const { gpu, channels } = meter.describe();
      assert.equal(gpu.source, "nvidia-smi");
      assert.deepEqual(channels, ["gpu1"]);
      assert.match(gpu.reason ?? "", /NVML unusable \(could not load NVML/);
      assert.equal(gpu.driverVersion, "580.159.03");
      await meter.begin("w");
      await new Promise((resolve) => setTimeout(resolve, 150));
      const window = await meter.end("w");
      assert.equal(window.gpus[0].source, "integrated");
      assert.ok(Math.abs(window.gpuEnergyJ - 100 * window.seconds) < 1e-6, `${window.gpuEnergyJ} J over ${window.seconds} s`);
      assert.equal(window.gpus[0].peakMemoryMb, 2048);
    } finally {
      await meter.close();
    }
    const info = await describeMeters({ nvmlLibraryPath: "/nonexistent/libnvidia-ml.so.1", cpu: "none" });
    assert.ok(!("unavailable" in info.nvidiaSmi) && info.nvidiaSmi.cudaVersion === "13.0");
    assert.match(formatMeterInfo(info), /GPU energy: nvidia-smi \(driver 580\.159\.03\)[\s\S]*gpu1: NVIDIA H200, 143771 MB, limit 700 W, energy counter no, power yes/);
  } finally {
    process.env.PATH = saved.path;
    if (saved.visible === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
    else process.env.CUDA_VISIBLE_DEVICES = saved.visible;
  }
});
