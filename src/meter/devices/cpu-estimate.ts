// CPU power when RAPL is out of reach, a model labelled `estimated`. By default it covers this run alone: TDP per
// logical CPU × the CPU time of this process and its children (/proc/<pid>/stat), a counter that moves in clock
// ticks of 10 ms — other work on the machine (another sweep, a build) no longer lands in the run's joules. How busy
// the rest of the machine was is kept beside it (/proc/stat less this process tree), so a busy machine is reported.
// The older machine-wide form (TDP × busy share of every CPU) stays available as scope "machine".
import { readdirSync, readFileSync } from "node:fs";
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

/** Power = TDP × busy share of all CPUs since the previous read (scope "machine"). */
class MachineCpuEstimateChannel implements Channel {
  readonly info: ChannelInfo = { key: "cpu", kind: "cpu", label: "estimate", index: -1, hasCounter: false, powerSource: "estimated", nominalUpdateMs: CLOCK_TICK_MS };
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

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s. */
export const CLOCK_TICKS_PER_S = 100;
const CLOCK_TICK_MS = 1000 / CLOCK_TICKS_PER_S;

/** utime + stime + cutime + cstime of one /proc/<pid>/stat, and its parent pid. Units: clock ticks. */
export function readProcessTicks(statText: string): { ppid: number; ticks: number } | null {
  // the command name (field 2) is in parentheses and may hold spaces: split after the last ")"
  const close = statText.lastIndexOf(")");
  if (close < 0) return null;
  const fields = statText.slice(close + 2).trim().split(/\s+/);
  // fields[0] is state (field 3): ppid is field 4, utime..cstime are fields 14..17
  const ppid = Number(fields[1]);
  const [utime, stime, cutime, cstime] = [fields[11], fields[12], fields[13], fields[14]].map(Number);
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return null;
  return { ppid, ticks: utime + stime + cutime + cstime };
}

/**
 * CPU time of a process tree: the root and its live descendants (each with its reaped children, cutime/cstime).
 * Descendants are found by scanning /proc for parent links on `rescan` (the sampler's 100 ms reads) and re-read
 * by pid in between (begin/end reads, which must be quick). Units: s.
 */
export class ProcessTreeCpu {
  private descendants: number[] = [];
  constructor(private readonly rootPid: number, private readonly procRoot = "/proc") {}

  private ticksOf(pid: number): { ppid: number; ticks: number } | null {
    try {
      return readProcessTicks(readFileSync(`${this.procRoot}/${pid}/stat`, "utf8"));
    } catch {
      return null; // gone between the scan and the read: its time is in its parent's cutime once reaped
    }
  }

  private scan(): void {
    const parent = new Map<number, number>();
    for (const name of readdirSync(this.procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      const t = this.ticksOf(Number(name));
      if (t) parent.set(Number(name), t.ppid);
    }
    const children = new Map<number, number[]>();
    for (const [pid, ppid] of parent) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    const out: number[] = [];
    const stack = [...(children.get(this.rootPid) ?? [])];
    while (stack.length) {
      const pid = stack.pop()!;
      out.push(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    this.descendants = out;
  }

  /** CPU seconds of the tree so far. Throws when the root's stat is unreadable. */
  seconds(rescan: boolean): number {
    if (rescan) {
      try { this.scan(); } catch { /* keep the last set */ }
    }
    const root = this.ticksOf(this.rootPid);
    if (!root) throw new Error(`${this.procRoot}/${this.rootPid}/stat is unreadable`);
    let ticks = root.ticks;
    for (const pid of this.descendants) ticks += this.ticksOf(pid)?.ticks ?? 0;
    return ticks / CLOCK_TICKS_PER_S;
  }
}

/**
 * Energy = TDP per logical CPU × CPU seconds of this process tree: a counter (it moves in 10 ms clock ticks of CPU
 * time), labelled `estimated`. Power for the trace and peaks is its slope between full reads (the sampler's period),
 * capped at the TDP: a tick of CPU time landing in a short interval must not read as more than every CPU busy.
 */
class ProcessCpuEstimateChannel implements Channel {
  readonly info: ChannelInfo = {
    key: "cpu", kind: "cpu", label: "estimate (this process tree)", index: -1, hasCounter: true, powerSource: "estimated",
    counterSource: "estimated", nominalUpdateMs: CLOCK_TICK_MS,
  };
  private lastFull: { ms: number; j: number } | null = null;
  constructor(private readonly wattsPerCpu: number, private readonly tdpW: number, private readonly tree: ProcessTreeCpu) {}

  read(full: boolean): ChannelReading {
    let counterJ: number;
    try {
      counterJ = this.wattsPerCpu * this.tree.seconds(full);
    } catch {
      return { counterJ: null, ...(full ? { powerW: null } : {}) };
    }
    if (!full) return { counterJ };
    const ms = performance.now();
    const last = this.lastFull;
    this.lastFull = { ms, j: counterJ };
    if (!last || !(ms > last.ms)) return { counterJ };
    return { counterJ, powerW: Math.min(this.tdpW, Math.max(0, (counterJ - last.j) / ((ms - last.ms) / 1000))) };
  }
}

export type CpuEstimateScope = "process" | "machine";

export interface CpuEstimateGroup extends DeviceGroup {
  tdp: CpuTdp;
  model: string | null;
  logicalCpus: number;
  scope: CpuEstimateScope;
}

export function openCpuEstimate(input: { optionW?: number; envW?: string; statPath?: string; cpuinfoPath?: string; scope?: CpuEstimateScope; pid?: number; procRoot?: string }): CpuEstimateGroup {
  const statPath = input.statPath ?? "/proc/stat";
  const times = readCpuTimes(statPath);
  const model = readCpuModel(input.cpuinfoPath);
  const tdp = resolveCpuTdp({ optionW: input.optionW, envW: input.envW, model, logicalCpus: times.logicalCpus });
  const scope = input.scope ?? "process";
  let channel: Channel;
  if (scope === "process") {
    const tree = new ProcessTreeCpu(input.pid ?? process.pid, input.procRoot);
    tree.seconds(true); // fails here, not in the sampler, when /proc/<pid>/stat cannot be read
    channel = new ProcessCpuEstimateChannel(tdp.tdpW / Math.max(1, times.logicalCpus), tdp.tdpW, tree);
  } else {
    channel = new MachineCpuEstimateChannel(tdp.tdpW, statPath);
  }
  return { channels: [channel], tdp, model, logicalCpus: times.logicalCpus, scope, close() {} };
}
