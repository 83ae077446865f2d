// A fake /sys/class/powercap in a temp dir: real files the RAPL reader opens exactly as it would in sysfs.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeZone {
  dir: string;
  name: string;
  energyUj: number;
  maxEnergyRangeUj: number;
}

export function powercapTree(zones: FakeZone[]): { root: string; setEnergy(dir: string, energyUj: number): void } {
  const root = mkdtempSync(join(tmpdir(), "wattlab-powercap-"));
  const setEnergy = (dir: string, energyUj: number): void => writeFileSync(join(root, dir, "energy_uj"), `${energyUj}\n`);
  for (const zone of zones) {
    mkdirSync(join(root, zone.dir));
    writeFileSync(join(root, zone.dir, "name"), `${zone.name}\n`);
    writeFileSync(join(root, zone.dir, "max_energy_range_uj"), `${zone.maxEnergyRangeUj}\n`);
    setEnergy(zone.dir, zone.energyUj);
  }
  return { root, setEnergy };
}
