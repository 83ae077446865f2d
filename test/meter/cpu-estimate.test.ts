// Without RAPL the CPU figure is TDP × utilisation from /proc/stat, and it is labelled `estimated`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Meter } from "../../src/meter/index.js";
import { readCpuTimes, resolveCpuTdp } from "../../src/meter/devices/cpu-estimate.js";

test("TDP comes from the option, then WATTLAB_CPU_TDP_W, then the model table (per thread × CPUs), then a labelled default", () => {
  assert.deepEqual(resolveCpuTdp({ optionW: 90, envW: "120", model: "AMD EPYC 7763 64-Core Processor", logicalCpus: 16 }), { tdpW: 90, source: "cpuTdpW option" });
  assert.deepEqual(resolveCpuTdp({ envW: "120", model: "AMD EPYC 7763 64-Core Processor", logicalCpus: 16 }), { tdpW: 120, source: "WATTLAB_CPU_TDP_W" });
  const table = resolveCpuTdp({ model: "Intel(R) Xeon(R) Platinum 8480+", logicalCpus: 16 });
  assert.equal(table.tdpW, 50); // 350 W / 112 threads × 16
  assert.match(table.source, /table: Xeon Platinum 8480\+ 350 W \/ 112 threads × 16 logical CPUs/);
  const fallback = resolveCpuTdp({ model: "Mystery CPU", logicalCpus: 3 });
  assert.equal(fallback.tdpW, 12);
  assert.match(fallback.source, /default 4 W per logical CPU × 3 \(model "Mystery CPU" not in the table; set WATTLAB_CPU_TDP_W\)/);
  assert.throws(() => resolveCpuTdp({ envW: "lots", model: null, logicalCpus: 1 }), /WATTLAB_CPU_TDP_W must be a positive number of watts, got "lots"/);
});

test("/proc/stat parsing: busy excludes idle and iowait; guest is not counted twice", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-stat-"));
  const path = join(dir, "stat");
  writeFileSync(path, "cpu  100 10 50 800 40 5 5 0 30 0\ncpu0 50 5 25 400 20 2 3 0 15 0\ncpu1 50 5 25 400 20 3 2 0 15 0\nintr 1\n");
  assert.deepEqual(readCpuTimes(path), { busy: 170, total: 1010, logicalCpus: 2 });
});

test(
  "a busy window on the estimate: source estimated, 0 < J ≤ TDP × seconds",
  { skip: existsSync("/proc/stat") ? false : "no /proc/stat on this system" },
  async () => {
    const meter = await Meter.open({ gpus: "none", cpu: "estimate", cpuTdpW: 100, sampleMs: 20 });
    try {
      assert.equal(meter.describe().cpu.source, "estimate");
      await meter.begin("busy");
      const until = Date.now() + 300;
      let spins = 0;
      while (Date.now() < until) spins++;
      const window = await meter.end("busy");
      assert.ok(spins > 0);
      assert.equal(window.sources.cpu, "estimated");
      assert.equal(window.sources.dram, "none");
      assert.ok(window.cpuEnergyJ > 0, `${window.cpuEnergyJ} J`);
      assert.ok(window.cpuEnergyJ <= 100 * window.seconds + 1e-9, `${window.cpuEnergyJ} J over ${window.seconds} s`);
      const samples = meter.trace(window.startMs, window.endMs);
      assert.ok(samples.length >= 2);
      assert.ok(samples.every((sample) => sample.watts.cpu >= 0 && sample.watts.cpu <= 100));
    } finally {
      await meter.close();
    }
  },
);
