// A channel is one thing the sampler reads (a GPU, the CPU packages, DRAM); device families make channels.
import type { FigureSource } from "../types.js";

export type ChannelKind = "gpu" | "cpu" | "dram";

export interface ChannelReading {
  /** Cumulative energy from a hardware counter, already unwrapped. Units: J. null: this read failed. */
  counterJ?: number | null;
  /** Units: W. null: this read failed; absent: not read this time (or derived, see Channel.derivesPower). */
  powerW?: number | null;
  /** Device memory in use. Units: MB (MiB). */
  memoryMb?: number | null;
  /** GPU temperature, full reads only. Units: °C. */
  temperatureC?: number | null;
  /** GPU SM clock, full reads only. Units: MHz. */
  smClockMhz?: number | null;
}

/** Static facts the main thread needs to turn snapshots into a WindowMeasurement. */
export interface ChannelInfo {
  key: string;
  kind: ChannelKind;
  /** Device name for GPUs, zone names for RAPL, "estimate" for the model. */
  label: string;
  /** NVML index for GPUs; -1 otherwise. */
  index: number;
  hasCounter: boolean;
  /** What integrating this channel's power is called: measured power or a model. */
  powerSource: Extract<FigureSource, "integrated" | "estimated">;
  /** What the counter's figures are called; default "counter" (a model's counter, e.g. CPU time × W, is "estimated"). */
  counterSource?: Extract<FigureSource, "counter" | "estimated">;
  /** The update period when it is known from the source's nature rather than probed (CPU time: 10 ms ticks). Units: ms. */
  nominalUpdateMs?: number;
}

/** The reads a device refused since the channel opened, and the latest refusal in a few words ("NVML_ERROR_GPU_IS_LOST
 * from nvmlDeviceGetTotalEnergyConsumption"). The sampler bridges a failed read with its neighbours; windows count them. */
export interface ReadFailures {
  count: number;
  last: string | null;
}

export interface Channel {
  readonly info: ChannelInfo;
  /** Failed reads so far, for channels whose source can fail a read without throwing (NVML, nvidia-smi). */
  readonly failures?: ReadFailures;
  /** Power is the counter's slope (RAPL has no power reading of its own). */
  readonly derivesPower?: boolean;
  /**
   * Synchronous on purpose: begin/end read every channel "now"; slow sources serve a cached value.
   * `full` false (at begin/end): only what energy needs — the counter, or power where there is no counter
   * or it failed — since each NVML call costs milliseconds and the caller is waiting.
   */
  read(full: boolean): ChannelReading;
}

/** A device family once opened: its channels and a way to let go of the hardware. */
export interface DeviceGroup {
  channels: Channel[];
  close(): void;
}
