// Turns two snapshots (begin, end) into a WindowMeasurement: counter where valid, else integrated power.
import type { ChannelInfo } from "./devices/channel.js";
import type { Snapshot, WindowPeaks } from "./sampler-protocol.js";
import { isBelowResolution, updatesSpanned, type ChannelResolution } from "./resolution.js";
import type { FigureSource, GpuWindowEnergy, WindowMeasurement } from "./types.js";

/** Idle power per channel from Meter.measureIdle. Units: W. */
export interface IdleBaseline {
  seconds: number;
  powerW: Record<string, number>;
  totalPowerW: number;
}

export interface ChannelEnergy {
  energyJ: number;
  source: FigureSource;
}

/**
 * One channel over a window. The counter is trusted only when both ends read it, no reset happened in
 * between (same epoch) and it did not go down; otherwise the integrated power stands in.
 */
export function channelEnergy(info: ChannelInfo, begin: Snapshot, end: Snapshot): ChannelEnergy {
  const a = begin.channels[info.key];
  const b = end.channels[info.key];
  if (!a || !b) return { energyJ: 0, source: "none" };
  if (info.hasCounter && a.counterJ !== null && b.counterJ !== null && a.epoch === b.epoch && b.counterJ >= a.counterJ) {
    return { energyJ: b.counterJ - a.counterJ, source: info.counterSource ?? "counter" };
  }
  if (b.integratedJ !== null) return { energyJ: b.integratedJ - (a.integratedJ ?? b.integratedJ), source: info.powerSource };
  return { energyJ: 0, source: "none" };
}

const STRENGTH: Record<FigureSource, number> = { counter: 3, integrated: 2, estimated: 1, none: 0 };

/**
 * The weakest source among the terms of a sum: a sum is only as good as its worst term, and a term with no figure
 * ("none": a GPU, a window or a RAPL domain that gave no reading) leaves the sum without one. No terms: "none".
 */
export function weakestSource(sources: readonly FigureSource[]): FigureSource {
  if (sources.length === 0) return "none";
  return sources.reduce((worst, source) => (STRENGTH[source] < STRENGTH[worst] ? source : worst));
}

/**
 * The source of the total over device kinds (GPU, CPU, DRAM) of one window or of windows summed. A kind no window
 * measured (no GPU, no DRAM domain) is no term of the total; a kind some window measured is one, and a window that
 * gave it no figure leaves the total without one. "none" when no kind was measured.
 */
export function totalSource(windows: readonly Pick<WindowMeasurement, "sources">[]): FigureSource {
  const kinds = (["gpu", "cpu", "dram"] as const).filter((kind) => windows.some((w) => w.sources[kind] !== "none"));
  return weakestSource(kinds.map((kind) => weakestSource(windows.map((w) => w.sources[kind]))));
}

export function measureWindow(input: {
  name: string;
  channels: ChannelInfo[];
  begin: Snapshot;
  end: Snapshot;
  peaks: WindowPeaks | null;
  idle: IdleBaseline | null;
  /** Each channel's update period as probed at open; without it the window cannot say what it resolved. */
  resolution?: ChannelResolution[];
}): WindowMeasurement {
  const { channels, begin, end, peaks, idle } = input;
  const seconds = Math.max(0, (end.tMs - begin.tMs) / 1000);
  const gpus: GpuWindowEnergy[] = [];
  const cpu: ChannelEnergy[] = [];
  const dram: ChannelEnergy[] = [];
  for (const info of channels) {
    const energy = channelEnergy(info, begin, end);
    if (info.kind === "gpu") {
      gpus.push({ index: info.index, name: info.label, energyJ: energy.energyJ, source: energy.source, peakMemoryMb: peaks?.memoryMb[info.key] ?? 0 });
    } else {
      (info.kind === "cpu" ? cpu : dram).push(energy);
    }
  }
  const sum = (parts: { energyJ: number }[]): number => parts.reduce((total, part) => total + part.energyJ, 0);
  const gpuEnergyJ = sum(gpus);
  const cpuEnergyJ = sum(cpu);
  const dramEnergyJ = sum(dram);
  const totalEnergyJ = gpuEnergyJ + cpuEnergyJ + dramEnergyJ;
  const avgPowerW = seconds > 0 ? totalEnergyJ / seconds : 0;
  const idleEnergyJ = idle ? idle.totalPowerW * seconds : null;
  return {
    name: input.name,
    seconds,
    gpus,
    gpuEnergyJ,
    cpuEnergyJ,
    dramEnergyJ,
    totalEnergyJ,
    dynamicEnergyJ: idleEnergyJ === null ? totalEnergyJ : Math.max(0, totalEnergyJ - idleEnergyJ),
    idleShare: idleEnergyJ === null ? null : totalEnergyJ > 0 ? Math.min(1, idleEnergyJ / totalEnergyJ) : idleEnergyJ > 0 ? 1 : 0,
    avgPowerW,
    // The largest power sample inside the window, never a counter average: a window shorter than one
    // sampling period may hold no sample, and then there is no peak (an average over a few ms that happens
    // to contain one counter step reads thousands of watts).
    peakPowerW: peaks?.peakPowerW ?? null,
    // Summed over GPUs: the memory the run held across its devices (one GPU: that GPU's peak).
    peakGpuMemoryMb: gpus.reduce((total, gpu) => total + gpu.peakMemoryMb, 0),
    sources: { gpu: weakestSource(gpus.map((gpu) => gpu.source)), cpu: weakestSource(cpu.map((part) => part.source)), dram: weakestSource(dram.map((part) => part.source)) },
    startMs: begin.tMs,
    endMs: end.tMs,
    idleEnergyJ,
    ...resolvedBy(seconds, input.resolution),
    ...gpuStateOf(channels, begin, end),
    ...machineBusyOf(begin, end),
    ...failedReadsOf(input.name, channels, begin, end),
  };
}

/** The device reads that failed between the window's two snapshots, per channel, with the latest reason. */
function failedReadsOf(name: string, channels: ChannelInfo[], begin: Snapshot, end: Snapshot): Pick<WindowMeasurement, "failedReads"> {
  let count = 0;
  let last: string | null = null;
  const parts: string[] = [];
  for (const info of channels) {
    const failed = (end.channels[info.key]?.failedReads ?? 0) - (begin.channels[info.key]?.failedReads ?? 0);
    if (!(failed > 0)) continue;
    count += failed;
    parts.push(`${info.key} ×${failed}`);
    last = end.channels[info.key]?.lastFailure ?? last;
  }
  if (count === 0) return {};
  return { failedReads: { count, note: `window "${name}": ${count} device read${count === 1 ? "" : "s"} failed (${parts.join(", ")}` +
    `${last ? `; latest: ${last}` : ""}); the readings around them stand in for them` } };
}

/** How many updates of the slowest energy channel the window spans, and whether that is too few. */
function resolvedBy(seconds: number, resolution: ChannelResolution[] | undefined): Pick<WindowMeasurement, "counterUpdates" | "belowResolution"> {
  if (!resolution) return {};
  const counterUpdates = updatesSpanned(seconds, resolution);
  return { counterUpdates, belowResolution: isBelowResolution(counterUpdates) };
}

function gpuStateOf(channels: ChannelInfo[], begin: Snapshot, end: Snapshot): Pick<WindowMeasurement, "gpuState"> {
  const gpus = channels.filter((c) => c.kind === "gpu");
  if (gpus.length === 0 || !begin.gpuState || !end.gpuState) return {};
  const at = (s: Snapshot) => gpus.map((c) => ({ index: c.index, temperatureC: null, smClockMhz: null, powerW: null, ...s.gpuState?.[c.key] }));
  return { gpuState: { start: at(begin), end: at(end) } };
}

/** Share of every CPU busy outside this process during the window (another sweep, a build). */
function machineBusyOf(begin: Snapshot, end: Snapshot): Pick<WindowMeasurement, "machineBusyShare"> {
  const a = begin.systemCpu, b = end.systemCpu;
  if (!a || !b || !(b.totalS > a.totalS)) return {};
  return { machineBusyShare: Math.min(1, Math.max(0, (b.busyS - a.busyS - (b.ownS - a.ownS)) / (b.totalS - a.totalS))) };
}

/** Idle power per channel from a window measured while nothing ran. */
export function idleBaselineFrom(channels: ChannelInfo[], begin: Snapshot, end: Snapshot): IdleBaseline {
  const seconds = (end.tMs - begin.tMs) / 1000;
  const powerW: Record<string, number> = {};
  for (const info of channels) powerW[info.key] = seconds > 0 ? channelEnergy(info, begin, end).energyJ / seconds : 0;
  return { seconds, powerW, totalPowerW: Object.values(powerW).reduce((a, b) => a + b, 0) };
}
