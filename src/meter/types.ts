// The meter contract: joules, watts, memory per named window; knows nothing of models.

/** How a figure was obtained. `counter`: a hardware energy counter; `integrated`: power samples
 * integrated over time; `estimated`: a model (e.g. TDP × utilisation), not a measurement. */
export type FigureSource = "counter" | "integrated" | "estimated" | "none";

export interface GpuWindowEnergy {
  /** NVML index of the GPU. */
  index: number;
  name: string;
  energyJ: number;
  source: FigureSource;
  peakMemoryMb: number;
}

export interface WindowMeasurement {
  name: string;
  /** Units: s. */
  seconds: number;
  gpus: GpuWindowEnergy[];
  /** Sum over gpus. Units: J. */
  gpuEnergyJ: number;
  cpuEnergyJ: number;
  dramEnergyJ: number;
  /** gpu + cpu + dram. Units: J. */
  totalEnergyJ: number;
  /** total − idle power × seconds, clamped at 0; equals totalEnergyJ when no idle baseline was taken. */
  dynamicEnergyJ: number;
  /** Idle baseline share of totalEnergyJ in [0,1]; null without a baseline. */
  idleShare: number | null;
  avgPowerW: number;
  peakPowerW: number;
  peakGpuMemoryMb: number;
  sources: { gpu: FigureSource; cpu: FigureSource; dram: FigureSource };
}

export interface PowerSample {
  /** ms since the meter opened. */
  tMs: number;
  /** Watts per device, keyed like "gpu0", "cpu", "dram". */
  watts: Record<string, number>;
}
