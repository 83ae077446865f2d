// Messages between the Meter (main thread) and the sampler worker.
import type { CpuDescription, GpuDescription } from "./description.js";
import type { ChannelInfo } from "./devices/channel.js";
import type { DeviceOptions } from "./devices/open.js";
import type { ChannelResolution } from "./resolution.js";
import type { RingBuffers } from "./ring.js";

export interface SamplerConfig extends DeviceOptions {
  /** How long the counters are watched at open for their update period (0: not at all). Units: ms. Default 450. */
  probeMs?: number;
  /** The main thread's clock at open (performance.timeOrigin + now()): sample times are ms after it. */
  epochMs: number;
  ringCapacity: number;
}

/** One channel's cumulative state at an instant; windows subtract two of these. */
export interface ChannelSnapshot {
  /** Latest counter reading, or null when this read failed or there is no counter. Units: J. */
  counterJ: number | null;
  /** Bumped whenever the counter went backwards (reset): a window across a bump cannot use the counter. */
  epoch: number;
  /** Trapezoid integral of power since open, or null before the first power reading. Units: J. */
  integratedJ: number | null;
  /** Reads of this channel that failed since open (a window counts the difference), and the latest one's reason. */
  failedReads?: number;
  lastFailure?: string | null;
}

export interface Snapshot {
  /** ms since the meter opened. */
  tMs: number;
  channels: Record<string, ChannelSnapshot>;
  /** Per GPU channel key: temperature, SM clock and power from the latest full sample. */
  gpuState?: Record<string, { temperatureC: number | null; smClockMhz: number | null; powerW: number | null }>;
  /** Cumulative CPU time of the whole system (/proc/stat) and of this process; null where unreadable. Units: s. */
  systemCpu?: { busyS: number; totalS: number; ownS: number } | null;
}

/** Maxima seen by the samples taken between a window's begin and end (both included). */
export interface WindowPeaks {
  /** Largest sum of channel powers in one sample; null when no sample had power. Units: W. */
  peakPowerW: number | null;
  /** Per GPU channel key. Units: MB. */
  memoryMb: Record<string, number>;
}

export type ToWorker =
  | { type: "begin"; request: number; window: number; atMs?: number; align?: boolean }
  | { type: "end"; request: number; window: number; atMs?: number; align?: boolean }
  | { type: "drop"; window: number }
  | { type: "dropAll" }
  | { type: "close"; request: number };

export type FromWorker =
  | { type: "ready"; channels: ChannelInfo[]; gpu: GpuDescription; cpu: CpuDescription; warnings: string[]; ring: RingBuffers; resolution: ChannelResolution[] }
  | { type: "failed"; message: string }
  | { type: "snapshot"; request: number; snapshot: Snapshot; peaks: WindowPeaks | null }
  | { type: "closed"; request: number };
