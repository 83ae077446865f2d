// CPU package and DRAM energy from powercap counters, including a wrap past max_energy_range_uj.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { discoverRaplZones } from "../../src/meter/devices/rapl.js";
import { powercapTree } from "./powercap-tree.js";

const MAX_UJ = 262_143_328_850;

function tree() {
  return powercapTree([
    { dir: "intel-rapl:0", name: "package-0", energyUj: 1_000_000, maxEnergyRangeUj: MAX_UJ },
    { dir: "intel-rapl:0:0", name: "core", energyUj: 5, maxEnergyRangeUj: MAX_UJ },
    { dir: "intel-rapl:0:1", name: "dram", energyUj: 2_000_000, maxEnergyRangeUj: MAX_UJ },
    { dir: "intel-rapl:1", name: "package-1", energyUj: MAX_UJ - 3_000_000, maxEnergyRangeUj: MAX_UJ },
    { dir: "intel-rapl:2", name: "psys", energyUj: 9, maxEnergyRangeUj: MAX_UJ },
    { dir: "intel-rapl-mmio:0", name: "package-0", energyUj: 9, maxEnergyRangeUj: MAX_UJ },
  ]);
}

test("discovery keeps package and dram zones, leaves out core, psys and the mmio duplicate", () => {
  const { root } = tree();
  assert.deepEqual(
    discoverRaplZones(root).map((zone) => [zone.name, zone.kind, zone.maxEnergyRangeUj]),
    [
      ["package-0", "cpu", MAX_UJ],
      ["dram", "dram", MAX_UJ],
      ["package-1", "cpu", MAX_UJ],
    ],
  );
});

test("a window sums both sockets' packages, unwraps package-1 past max_energy_range_uj, and reports DRAM apart", async () => {
  const { root, setEnergy } = tree();
  const meter = await Meter.open({ gpus: "none", cpu: "rapl", powercapRoot: root, sampleMs: 20 });
  try {
    const description = meter.describe();
    assert.equal(description.cpu.source, "rapl");
    assert.deepEqual(description.channels, ["cpu", "dram"]);
    await meter.begin("w");
    setEnergy("intel-rapl:0", 1_000_000 + 12_500_000); // +12.5 J
    setEnergy("intel-rapl:1", 4_000_000); // wrapped: 3 J to the top, 4 J after = +7 J
    setEnergy("intel-rapl:0:1", 2_000_000 + 1_250_000); // +1.25 J
    const window = await meter.end("w");
    assert.equal(window.sources.cpu, "counter");
    assert.equal(window.sources.dram, "counter");
    assert.ok(Math.abs(window.cpuEnergyJ - 19.5) < 1e-9, `cpu ${window.cpuEnergyJ} J`);
    assert.ok(Math.abs(window.dramEnergyJ - 1.25) < 1e-9, `dram ${window.dramEnergyJ} J`);
    assert.ok(Math.abs(window.totalEnergyJ - 20.75) < 1e-9);
    assert.equal(window.sources.gpu, "none");
  } finally {
    await meter.close();
  }
});
