// What a meter found, and why anything is missing: for `wattlab info`, run metadata and Meter.describe().
import type { ChannelResolution } from "./resolution.js";
import type { GridIntensity } from "./types.js";

export interface GpuFacts {
  /** NVML index (PCI bus order). */
  index: number;
  name: string;
  uuid: string | null;
  memoryTotalMb: number | null;
  powerLimitW: number | null;
  smClockMhz: number | null;
  memoryClockMhz: number | null;
  /** nvmlDeviceGetTotalEnergyConsumption answered: windows use source `counter`. */
  energyCounter: boolean;
  /** Power readings answered: windows can fall back to source `integrated`. */
  powerReadings: boolean;
}

export interface GpuDescription {
  source: "nvml" | "nvidia-smi" | "none";
  devices: GpuFacts[];
  driverVersion: string | null;
  /** The NVML library path that loaded, or null. */
  library: string | null;
  /** CUDA_VISIBLE_DEVICES as seen at open (null: unset). */
  cudaVisibleDevices: string | null;
  /** Why no GPU is metered, or why a weaker source is used; null when NVML serves every GPU. */
  reason: string | null;
  /** Smaller remarks: dropped CUDA_VISIBLE_DEVICES entries, devices without a counter. */
  notes: string[];
}

export interface RaplZoneFacts {
  path: string;
  /** The zone's own name file, e.g. "package-0", "dram". */
  name: string;
  kind: "cpu" | "dram";
  maxEnergyRangeUj: number;
}

export interface CpuDescription {
  source: "rapl" | "estimate" | "none";
  /** /proc/cpuinfo "model name", when readable. */
  model: string | null;
  logicalCpus: number;
  zones: RaplZoneFacts[];
  /** The TDP the estimate multiplies by utilisation. Units: W. */
  tdpW: number | null;
  /** Where tdpW came from, in words. */
  tdpSource: string | null;
  /** Why RAPL is not used, or null. */
  reason: string | null;
  /** What the estimate covers: "process" (this process and its children's CPU time) or "machine" (every CPU). */
  estimateScope?: "process" | "machine" | null;
  /** Share of all CPUs busy outside this process tree when the meter last looked (0–1); null where unknown. */
  machineBusyShare?: number | null;
}

export interface MeterDescription {
  /** Sampling period of the worker thread. Units: ms. */
  sampleMs: number;
  /** Trace keys: "gpu0", …, "cpu", "dram". */
  channels: string[];
  gpu: GpuDescription;
  cpu: CpuDescription;
  carbon: GridIntensity | null;
  /** Each energy channel's update period and step, probed at open (src/meter/resolution.ts). */
  resolution?: ChannelResolution[];
  /** Lines worth telling the user (also printed once per process). */
  warnings: string[];
}
