// Device reads that fail mid-run are counted, never swallowed: a window that held some says how many, on which
// channel and why, and the meter's warning sink hears that one line. Real parts: the fake NVML library through koffi
// and the sampler thread; a fake nvidia-smi on PATH that starts failing after its first answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Meter } from "../../src/meter/index.js";
import { requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

test("NVML: a counter that starts failing mid-run is counted in the window and said once, in one line", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  fake.configure({ power_w: 200, counter_rc: 15, counter_rc_after_ms: 1500 });
  const heard: string[] = [];
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, cpu: "none", sampleMs: 20, probeMs: 0, onWarning: (m) => heard.push(m) });
  try {
    await meter.begin("before");
    await sleep(100);
    const before = await meter.end("before");
    assert.equal(before.failedReads, undefined, "no read failed yet");
    assert.equal(before.gpus[0].source, "counter");
    const warnedAtOpen = heard.length;
    await sleep(1600);
    await meter.begin("after");
    await sleep(200);
    const after = await meter.end("after");
    assert.ok(after.failedReads && after.failedReads.count >= 2, `failed reads: ${JSON.stringify(after.failedReads)}`);
    assert.match(after.failedReads.note, /^window "after": \d+ device reads failed \(gpu0 ×\d+; latest: NVML_ERROR_GPU_IS_LOST from nvmlDeviceGetTotalEnergyConsumption\); the readings around them stand in for them$/);
    assert.equal(after.gpus[0].source, "integrated", "power samples bridge the failed counter");
    assert.deepEqual(heard.slice(warnedAtOpen), [after.failedReads.note]);
  } finally {
    await meter.close();
  }
});

test("nvidia-smi: runs that fail are counted in the window with nvidia-smi's reason", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-smi-fail-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gpu = "<gpu><product_name>NVIDIA H200</product_name><uuid>GPU-1111</uuid><fb_memory_usage><total>143771 MiB</total><used>2048 MiB</used></fb_memory_usage>" +
    "<gpu_power_readings><instant_power_draw>100.00 W</instant_power_draw></gpu_power_readings></gpu>";
  writeFileSync(join(dir, "smi.xml"), `<?xml version="1.0" ?><nvidia_smi_log><driver_version>580.1</driver_version><cuda_version>13.0</cuda_version>${gpu}</nvidia_smi_log>`);
  // answers while the file "ok" exists; afterwards fails the way a lost GPU makes it fail
  writeFileSync(join(dir, "ok"), "");
  const script = join(dir, "nvidia-smi");
  writeFileSync(script, `#!/bin/sh\nif [ -e "${join(dir, "ok")}" ]; then cat "${join(dir, "smi.xml")}"; exit 0; fi\necho "Unable to determine the device handle for GPU0000:01:00.0: Unknown Error" >&2\nexit 255\n`);
  chmodSync(script, 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${saved}`;
  t.after(() => { process.env.PATH = saved; });
  const heard: string[] = [];
  const meter = await Meter.open({ nvmlLibraryPath: "/nonexistent/libnvidia-ml.so.1", gpus: "visible", cpu: "none", sampleMs: 20, probeMs: 0, onWarning: (m) => heard.push(m) });
  try {
    assert.equal(meter.describe().gpu.source, "nvidia-smi");
    rmSync(join(dir, "ok"));
    await meter.begin("lost");
    await sleep(1500);
    const window = await meter.end("lost");
    assert.ok(window.failedReads && window.failedReads.count >= 1, `failed reads: ${JSON.stringify(window.failedReads)}`);
    assert.match(window.failedReads.note, /^window "lost": \d+ device reads? failed \(gpu0 ×\d+; latest: nvidia-smi failed: .*\); the readings around them stand in for them$/);
    assert.equal(heard.at(-1), window.failedReads.note);
  } finally {
    await meter.close();
  }
});
