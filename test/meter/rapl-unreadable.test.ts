// Unreadable RAPL counters: "auto" falls back to the estimate and warns once naming the fix; "rapl" refuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Meter } from "../../src/meter/index.js";
import { powercapTree } from "./powercap-tree.js";

/** energy_uj replaced by a directory: reading it fails with EISDIR even for root, who ignores chmod 000. */
function unreadableTree(): string {
  const { root } = powercapTree([{ dir: "intel-rapl:0", name: "package-0", energyUj: 1, maxEnergyRangeUj: 1e12 }]);
  rmSync(join(root, "intel-rapl:0", "energy_uj"));
  mkdirSync(join(root, "intel-rapl:0", "energy_uj"));
  return root;
}

test("energy_uj unreadable (EISDIR stand-in for EACCES): auto → estimated CPU, one warning naming chmod, across two meters", async () => {
  const root = unreadableTree();
  const warnings: string[] = [];
  for (let i = 0; i < 2; i++) {
    const meter = await Meter.open({ gpus: "none", cpu: "auto", powercapRoot: root, cpuTdpW: 50, onWarning: (message) => warnings.push(message) });
    const { cpu } = meter.describe();
    await meter.begin("w");
    const window = await meter.end("w");
    await meter.close();
    assert.equal(cpu.source, "estimate");
    assert.match(cpu.reason ?? "", /cannot read .*intel-rapl:0\/energy_uj \(EISDIR\)/);
    assert.equal(window.sources.cpu, "estimated");
  }
  assert.equal(warnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
  assert.match(warnings[0], /run as root, or `sudo chmod a\+r .*\/intel-rapl:\*\/energy_uj`/);
  assert.match(warnings[0], /estimated as TDP per logical CPU × this process tree.s CPU time \(50 W, cpuTdpW option\)/);
});

test("cpu: \"rapl\" with unreadable counters rejects with the reason and the fix", async () => {
  await assert.rejects(Meter.open({ gpus: "none", cpu: "rapl", powercapRoot: unreadableTree() }), /cpu: "rapl" asked for, but RAPL is unusable: cannot read .*chmod a\+r/);
});

test("no powercap directory at all: the reason says RAPL is not exposed", async () => {
  await assert.rejects(Meter.open({ gpus: "none", cpu: "rapl", powercapRoot: "/nonexistent/powercap" }), /no \/nonexistent\/powercap \(not a Linux host with RAPL/);
});

const isRoot = process.getuid?.() === 0;
test(
  "energy_uj with mode 000 as a non-root user: a real EACCES",
  { skip: isRoot ? "running as root, which reads files whatever their mode: the EISDIR test above stands in" : false },
  async () => {
    const { root } = powercapTree([{ dir: "intel-rapl:0", name: "package-0", energyUj: 1, maxEnergyRangeUj: 1e12 }]);
    chmodSync(join(root, "intel-rapl:0", "energy_uj"), 0o000);
    await assert.rejects(Meter.open({ gpus: "none", cpu: "rapl", powercapRoot: root }), /\(EACCES\): run as root/);
  },
);
