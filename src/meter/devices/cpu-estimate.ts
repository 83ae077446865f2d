// CPU power when RAPL is out of reach: TDP × utilisation from /proc/stat. A model, labelled `estimated`.
import { readFileSync } from "node:fs";
import type { Channel, ChannelInfo, ChannelReading, DeviceGroup } from "./channel.js";

/** Whole-machine CPU time from /proc/stat's first line. Units: jiffies. */
export interface CpuTimes {
  busy: number;
  total: number;
  /** Count of cpuN lines: the logical CPUs the figures cover. */
  logicalCpus: number;
}

export function readCpuTimes(statPath = "/proc/stat"): CpuTimes {
  const lines = readFileSync(statPath, "utf8").split("\n");
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is already inside user).
  const fields = lines[0].trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, logicalCpus: lines.filter((line) => /^cpu\d+\s/.test(line)).length };
}

export function readCpuModel(cpuinfoPath = "/proc/cpuinfo"): string | null {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync(cpuinfoPath, "utf8"));
    return match ? match[1].trim() : null;
  } catch {
    return null;
  }
}

/** Vendor TDP and hardware threads per socket, for common server and desktop parts; W per thread × visible CPUs. */
const TDP_TABLE: { pattern: RegExp; part: string; tdpW: number; threads: number }[] = [
  { pattern: /Xeon.*Platinum 8480/, part: "Xeon Platinum 8480+", tdpW: 350, threads: 112 },
  { pattern: /Xeon.*Platinum 8468/, part: "Xeon Platinum 8468", tdpW: 350, threads: 96 },
  { pattern: /Xeon.*Platinum 8462Y/, part: "Xeon Platinum 8462Y+", tdpW: 300, threads: 64 },
  { pattern: /Xeon.*Platinum 8380/, part: "Xeon Platinum 8380", tdpW: 270, threads: 80 },
  { pattern: /Xeon.*Platinum 8358/, part: "Xeon Platinum 8358", tdpW: 250, threads: 64 },
  { pattern: /Xeon.*Gold 6338/, part: "Xeon Gold 6338", tdpW: 205, threads: 64 },
  { pattern: /EPYC 9654/, part: "EPYC 9654", tdpW: 360, threads: 192 },
  { pattern: /EPYC 9554/, part: "EPYC 9554", tdpW: 360, threads: 128 },
  { pattern: /EPYC 7763/, part: "EPYC 7763", tdpW: 280, threads: 128 },
  { pattern: /EPYC 7742/, part: "EPYC 7742", tdpW: 225, threads: 128 },
  { pattern: /i9-13900K/, part: "Core i9-13900K", tdpW: 125, threads: 32 },
  { pattern: /Ryzen 9 7950X/, part: "Ryzen 9 7950X", tdpW: 170, threads: 32 },
];

/** Used when nothing better is known; a mid-range server figure. Units: W per logical CPU. */
export const DEFAULT_WATTS_PER_LOGICAL_CPU = 4;

export interface CpuTdp {
  tdpW: number;
  /** In words, for describe(): where the figure came from. */
  source: string;
}

/** The TDP covering `logicalCpus`: option, then WATTLAB_CPU_TDP_W, then the table, then a per-CPU default. */
export function resolveCpuTdp(input: { optionW?: number; envW?: string; model: string | null; logicalCpus: number }): CpuTdp {
  if (input.optionW !== undefined) {
    if (!(input.optionW > 0)) throw new RangeError(`cpuTdpW must be a positive number of watts, got ${input.optionW}`);
    return { tdpW: input.optionW, source: "cpuTdpW option" };
  }
  if (input.envW !== undefined && input.envW !== "") {
    const value = Number(input.envW);
    if (!(value > 0)) throw new RangeError(`WATTLAB_CPU_TDP_W must be a positive number of watts, got "${input.envW}"`);
    return { tdpW: value, source: "WATTLAB_CPU_TDP_W" };
  }
  const row = input.model ? TDP_TABLE.find((entry) => entry.pattern.test(input.model!)) : undefined;
  if (row) {
    const tdpW = (row.tdpW / row.threads) * input.logicalCpus;
    return { tdpW, source: `table: ${row.part} ${row.tdpW} W / ${row.threads} threads × ${input.logicalCpus} logical CPUs` };
  }
  return {
    tdpW: DEFAULT_WATTS_PER_LOGICAL_CPU * input.logicalCpus,
    source: `default ${DEFAULT_WATTS_PER_LOGICAL_CPU} W per logical CPU × ${input.logicalCpus} (model "${input.model ?? "unknown"}" not in the table; set WATTLAB_CPU_TDP_W)`,
  };
}

/** Power = TDP × busy share of all CPUs since the previous read. */
class CpuEstimateChannel implements Channel {
  readonly info: ChannelInfo = { key: "cpu", kind: "cpu", label: "estimate", index: -1, hasCounter: false, powerSource: "estimated" };
  private last: CpuTimes;
  private lastPowerW: number;

  constructor(
    private readonly tdpW: number,
    private readonly statPath: string,
  ) {
    this.last = readCpuTimes(statPath);
    // Until two reads differ, the share since boot stands in, so a window opened at once still has a figure.
    this.lastPowerW = this.last.total > 0 ? this.tdpW * (this.last.busy / this.last.total) : 0;
  }

  read(_full: boolean): ChannelReading {
    let now: CpuTimes;
    try {
      now = readCpuTimes(this.statPath);
    } catch {
      return { powerW: null };
    }
    const totalDelta = now.total - this.last.total;
    // /proc/stat moves in jiffies (10 ms): between two close reads nothing changes, so keep the last figure.
    if (totalDelta > 0) {
      this.lastPowerW = this.tdpW * Math.min(1, Math.max(0, (now.busy - this.last.busy) / totalDelta));
      this.last = now;
    }
    return { powerW: this.lastPowerW };
  }
}

export interface CpuEstimateGroup extends DeviceGroup {
  tdp: CpuTdp;
  model: string | null;
  logicalCpus: number;
}

export function openCpuEstimate(input: { optionW?: number; envW?: string; statPath?: string; cpuinfoPath?: string }): CpuEstimateGroup {
  const statPath = input.statPath ?? "/proc/stat";
  const times = readCpuTimes(statPath);
  const model = readCpuModel(input.cpuinfoPath);
  const tdp = resolveCpuTdp({ optionW: input.optionW, envW: input.envW, model, logicalCpus: times.logicalCpus });
  return { channels: [new CpuEstimateChannel(tdp.tdpW, statPath)], tdp, model, logicalCpus: times.logicalCpus, close() {} };
}
