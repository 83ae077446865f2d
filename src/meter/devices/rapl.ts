// CPU package and DRAM energy from Linux powercap (RAPL): energy_uj counters, unwrapped via max_energy_range_uj.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RaplZoneFacts } from "../description.js";
import type { Channel, ChannelInfo, ChannelReading, DeviceGroup } from "./channel.js";

export const DEFAULT_POWERCAP_ROOT = "/sys/class/powercap";

/** The one-line fix for unreadable counters (root-only since the 2020 PLATYPUS mitigation). */
export function raplPermissionFix(root: string): string {
  return `run as root, or \`sudo chmod a+r ${root}/intel-rapl:*/energy_uj\` (undone at reboot; in a container the host must allow it)`;
}

/** RAPL cannot be used; `reason` names what was tried and, where there is one, the fix. */
export class RaplUnavailableError extends Error {
  override readonly name = "RaplUnavailableError";
  constructor(
    readonly reason: string,
    /** errno code of the failed read (EACCES, EISDIR, …) or null when RAPL is simply absent. */
    readonly code: string | null,
  ) {
    super(reason);
  }
}

// Top-level zones are `intel-rapl:N`; sub-zones `intel-rapl:N:M`. AMD kernels may name them `amd-rapl`.
// `intel-rapl-mmio:*` duplicates package-N on newer kernels, so the pattern leaves it out.
const ZONE_DIR = /^(intel|amd)-rapl(:\d+)+$/;

function readUj(path: string): number {
  const value = Number(readFileSync(path, "utf8").trim());
  if (!Number.isFinite(value)) throw Object.assign(new Error(`${path} does not hold a number`), { code: "EINVAL" });
  return value;
}

/** Lists package and DRAM zones under `root` and checks their counters read; throws RaplUnavailableError. */
export function discoverRaplZones(root: string): RaplZoneFacts[] {
  if (!existsSync(root)) {
    throw new RaplUnavailableError(`no ${root} (not a Linux host with RAPL, or the VM/container does not expose it)`, null);
  }
  const zones: RaplZoneFacts[] = [];
  for (const entry of readdirSync(root).filter((name) => ZONE_DIR.test(name)).sort()) {
    const path = join(root, entry);
    let name: string;
    try {
      name = readFileSync(join(path, "name"), "utf8").trim();
    } catch {
      continue;
    }
    // psys, core and uncore are left out: core/uncore are inside the package figure, psys overlaps everything.
    const kind = name.startsWith("package") ? "cpu" : name === "dram" ? "dram" : null;
    if (!kind) continue;
    try {
      readUj(join(path, "energy_uj"));
      const maxEnergyRangeUj = readUj(join(path, "max_energy_range_uj"));
      zones.push({ path, name, kind, maxEnergyRangeUj });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EIO";
      throw new RaplUnavailableError(`cannot read ${join(path, "energy_uj")} (${code}): ${raplPermissionFix(root)}`, code);
    }
  }
  if (!zones.some((zone) => zone.kind === "cpu")) {
    throw new RaplUnavailableError(`no RAPL package zone under ${root}`, null);
  }
  return zones;
}

/** One counter per zone, unwrapped: a reading below the last one means the register wrapped once. */
class ZoneCounter {
  private lastUj: number | null = null;
  totalJ = 0;
  constructor(readonly zone: RaplZoneFacts) {}

  /** Advances totalJ; false when the read failed (the total then stays where it was). */
  advance(): boolean {
    let uj: number;
    try {
      uj = readUj(join(this.zone.path, "energy_uj"));
    } catch {
      return false;
    }
    if (this.lastUj !== null) {
      let deltaUj = uj - this.lastUj;
      if (deltaUj < 0) deltaUj += this.zone.maxEnergyRangeUj;
      this.totalJ += deltaUj / 1e6;
    }
    this.lastUj = uj;
    return true;
  }
}

/** Sums the zones of one kind (all sockets' packages, or all DRAM zones). */
class RaplChannel implements Channel {
  readonly derivesPower = true;
  private readonly counters: ZoneCounter[];
  constructor(
    readonly info: ChannelInfo,
    zones: RaplZoneFacts[],
  ) {
    this.counters = zones.map((zone) => new ZoneCounter(zone));
    for (const counter of this.counters) counter.advance();
  }

  read(_full: boolean): ChannelReading {
    let ok = true;
    for (const counter of this.counters) ok = counter.advance() && ok;
    return { counterJ: ok ? this.counters.reduce((sum, counter) => sum + counter.totalJ, 0) : null };
  }
}

export interface RaplGroup extends DeviceGroup {
  zones: RaplZoneFacts[];
}

/** Opens RAPL under `root`; throws RaplUnavailableError with the reason (and fix) when it cannot. */
export function openRapl(root: string = DEFAULT_POWERCAP_ROOT): RaplGroup {
  const zones = discoverRaplZones(root);
  const channels: Channel[] = [];
  for (const kind of ["cpu", "dram"] as const) {
    const ofKind = zones.filter((zone) => zone.kind === kind);
    if (ofKind.length === 0) continue;
    const label = ofKind.map((zone) => zone.name).join("+");
    channels.push(new RaplChannel({ key: kind, kind, label, index: -1, hasCounter: true, powerSource: "integrated" }, ofKind));
  }
  return { channels, zones, close() {} };
}
