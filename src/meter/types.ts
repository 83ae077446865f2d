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
  /** Largest sum of device powers in one power sample taken inside the window; null when none was. Units: W. */
  peakPowerW: number | null;
  peakGpuMemoryMb: number;
  sources: { gpu: FigureSource; cpu: FigureSource; dram: FigureSource };
  /** Extension: when the window began and ended, on the trace's clock (ms since the meter opened). */
  startMs?: number;
  endMs?: number;
  /** Extension: idle power × seconds subtracted for dynamicEnergyJ; null without a baseline. Units: J. */
  idleEnergyJ?: number | null;
  /** Extension: present when the meter was opened with carbon options; computed from totalEnergyJ. */
  carbon?: CarbonEstimate;
  /**
   * Extension: how many updates of the slowest energy counter (or power sample, where a channel integrates) the
   * window spans: its seconds over the update period probed at open; null where no period is known.
   */
  counterUpdates?: number | null;
  /** Extension: fewer than MIN_RESOLVED_UPDATES updates: the figure reads the counter's steps as much as the work. */
  belowResolution?: boolean;
  /** Extension: share of every CPU busy outside this process during the window (0–1; /proc/stat). */
  machineBusyShare?: number;
  /** Extension: each GPU's temperature, SM clock and power at the window's start and end (NVML). */
  gpuState?: { start: GpuState[]; end: GpuState[] };
  /**
   * Extension, present only when some did: device reads that failed inside the window (NVML calls, nvidia-smi runs),
   * bridged by the readings around them, and one line saying how many, on which channels and the latest reason.
   */
  failedReads?: { count: number; note: string };
}

/** How a window is taken. */
export interface WindowOptions {
  /**
   * Start at an update of each stepped energy counter (NVML's moves about every 100 ms) and, at the end, wait for
   * the next update and take off the idle tail after the work: the window's counter energy is then exact to the
   * counter's own accuracy instead of ±1 step at each end. Costs up to one update period at begin and two at end.
   */
  alignToCounter?: boolean;
}

/** A GPU's thermal and clock state at an instant (the sampler's latest reading). */
export interface GpuState {
  index: number;
  /** Units: °C. */
  temperatureC: number | null;
  /** Units: MHz. */
  smClockMhz: number | null;
  /** Units: W. */
  powerW: number | null;
}

/** Grid carbon intensity as resolved once per meter. */
export interface GridIntensity {
  /** Units: gCO2eq/kWh. */
  intensityGPerKwh: number;
  source: "electricitymaps" | "tgwf-co2-yearly" | "fixed";
  /** Zone or country code the figure belongs to (e.g. "FR", "USA", "US-CAL-CISO"); null for a fixed value. */
  zone: string | null;
  /** Year of a yearly average; null for live or fixed figures, or when the data set does not say. */
  year: number | null;
  /** Power usage effectiveness of the data centre, ≥ 1. */
  pue: number;
}

/** gCO2eq = kWh × intensity × PUE. */
export interface CarbonEstimate extends GridIntensity {
  gramsCo2eq: number;
}

export interface PowerSample {
  /** ms since the meter opened. */
  tMs: number;
  /** Watts per device, keyed like "gpu0", "cpu", "dram". */
  watts: Record<string, number>;
}
