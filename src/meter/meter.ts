// The Meter: named windows over GPUs, CPU packages and DRAM, measured by a sampler thread.
import { carbonFor, resolveGridIntensity, type CarbonOptions } from "./carbon.js";
import type { MeterDescription } from "./description.js";
import type { CpuChoice, GpuChoice } from "./devices/open.js";
import { DEFAULT_POWERCAP_ROOT } from "./devices/rapl.js";
import { idleBaselineFrom, measureWindow, type IdleBaseline } from "./measure.js";
import { slowestUpdateMs, type ChannelResolution } from "./resolution.js";
import { DEFAULT_NVML_LIBRARY } from "./nvml/library.js";
import { Sampler } from "./sampler.js";
import type { Snapshot } from "./sampler-protocol.js";
import type { GridIntensity, PowerSample, WindowMeasurement, WindowOptions } from "./types.js";
import { conciseWarning, warnOnce } from "./warnings.js";
import { WindowBook } from "./windows.js";

export interface MeterOptions {
  /** NVML indices, "visible" (CUDA_VISIBLE_DEVICES, all when unset; the default) or "none". */
  gpus?: GpuChoice;
  /** "auto" (default): RAPL, else an estimate from TDP × utilisation. "rapl" fails when RAPL is unreadable. */
  cpu?: CpuChoice;
  /** Sampling period of the worker thread. Default 100. Units: ms. */
  sampleMs?: number;
  /** CPU TDP for the estimate; default $WATTLAB_CPU_TDP_W, then a table by CPU model. Units: W. */
  cpuTdpW?: number;
  /** What the CPU estimate covers: "process" (default: this process and its children's CPU time) or "machine". */
  cpuEstimate?: "process" | "machine";
  /** How long the energy counters are watched at open for their update period and step (0: not). Units: ms. Default 450. */
  probeMs?: number;
  /** Default $WATTLAB_NVML_LIB, else libnvidia-ml.so.1 from the loader's path. */
  nvmlLibraryPath?: string;
  /** Default /sys/class/powercap. */
  powercapRoot?: string;
  /** When given, every window carries `carbon` (gCO2eq of totalEnergyJ). */
  carbon?: CarbonOptions;
  /** Samples kept for trace(). Default 2^16 (about 1.8 h at 100 ms). */
  traceCapacity?: number;
  /** Where warnings go; default console.warn. Each distinct warning is emitted once per process. */
  onWarning?: (message: string) => void;
}

const CPU_CHOICES: CpuChoice[] = ["rapl", "estimate", "auto", "none"];

function validate(options: MeterOptions): void {
  const { gpus, cpu, sampleMs } = options;
  if (gpus !== undefined && gpus !== "visible" && gpus !== "none") {
    if (!Array.isArray(gpus) || gpus.some((i) => !Number.isInteger(i) || i < 0)) {
      throw new TypeError(`Unsupported gpus ${JSON.stringify(gpus)}. Should be "visible", "none" or an array of NVML indices like [0, 1]`);
    }
  }
  if (cpu !== undefined && !CPU_CHOICES.includes(cpu)) throw new TypeError(`Unsupported cpu "${cpu}". Should be one of: ${CPU_CHOICES.join(", ")}`);
  if (sampleMs !== undefined && !(sampleMs >= 1)) throw new RangeError(`sampleMs must be ≥ 1 ms, got ${sampleMs}`);
}

interface WindowState {
  begin: Promise<Snapshot>;
}

/** When a window really began or ended, if not now. */
export interface WindowTime {
  /** On the meter's clock (ms since open, see nowMs()); a time in the future counts as now. */
  atMs?: number;
}

export class Meter {
  private readonly windows = new WindowBook<WindowState>();
  private idle: IdleBaseline | null = null;
  private closed = false;

  private constructor(
    private readonly sampler: Sampler,
    private readonly description: MeterDescription,
    private readonly intensity: GridIntensity | null,
    private readonly epochMs: number,
    /** Where a window's failed device reads are said, one line each (the open's warning sink). */
    private readonly warn: (message: string) => void,
  ) {}

  /** Finds the devices, starts the sampler thread, resolves grid intensity (if asked); see describe(). */
  static async open(options: MeterOptions = {}): Promise<Meter> {
    validate(options);
    const sampleMs = options.sampleMs ?? 100;
    // a caller's sink hears each warning whole; printed, a long one becomes one short line (wattlab info has the rest)
    const sink = options.onWarning ?? ((message: string) => console.warn(`wattlab: ${message}`));
    const printed = options.onWarning ? (message: string) => message : conciseWarning;
    const carbon = options.carbon ? await resolveGridIntensity(options.carbon) : null;
    const epochMs = performance.timeOrigin + performance.now();
    const sampler = await Sampler.start({
      gpus: options.gpus ?? "visible",
      cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES,
      nvmlLibraryPath: options.nvmlLibraryPath ?? process.env.WATTLAB_NVML_LIB ?? DEFAULT_NVML_LIBRARY,
      cpu: options.cpu ?? "auto",
      powercapRoot: options.powercapRoot ?? DEFAULT_POWERCAP_ROOT,
      cpuTdpW: options.cpuTdpW,
      cpuTdpEnv: process.env.WATTLAB_CPU_TDP_W,
      cpuEstimateScope: options.cpuEstimate,
      probeMs: options.probeMs,
      sampleMs,
      epochMs,
      ringCapacity: options.traceCapacity ?? 1 << 16,
    });
    const { channels, gpu, cpu, warnings: deviceWarnings } = sampler.ready;
    const warnings = [...deviceWarnings, ...(carbon?.warnings ?? [])];
    for (const warning of warnings) warnOnce(printed(warning), sink);
    const description: MeterDescription = {
      sampleMs,
      channels: channels.map((channel) => channel.key),
      gpu,
      cpu,
      carbon: carbon?.intensity ?? null,
      resolution: sampler.ready.resolution,
      warnings,
    };
    return new Meter(sampler, description, carbon?.intensity ?? null, epochMs, sink);
  }

  /** What was found, and why anything is missing. */
  describe(): MeterDescription {
    return structuredClone(this.description);
  }

  /** The meter's clock: ms since it opened, as in trace() and a window's startMs/endMs. */
  nowMs(): number {
    return performance.timeOrigin + performance.now() - this.epochMs;
  }

  /** Unix time of the clock's zero (when the meter opened). Units: ms. */
  get clockZeroMs(): number {
    return this.epochMs;
  }

  /** Names of the windows open now. */
  openWindows(): string[] {
    return this.windows.names();
  }

  /** Idle power from measureIdle(), or null. */
  get idleBaseline(): IdleBaseline | null {
    return this.idle && structuredClone(this.idle);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the meter is closed: open a new one with Meter.open()");
  }

  /**
   * Opens window `name` with a fresh reading of every device. Throws MeterWindowError if it is open already.
   * `at.atMs`: the window began earlier (an event timestamped on arrival); the reading is moved back to it.
   */
  async begin(name: string, at: WindowTime & WindowOptions = {}): Promise<void> {
    this.assertOpen();
    const window = this.windows.add(name, (id) => ({ begin: this.sampler.begin(id, at.atMs, at.alignToCounter) }));
    try {
      await window.state.begin;
    } catch (error) {
      this.windows.discard(window);
      throw error;
    }
  }

  /** Closes window `name` with a fresh reading and returns what it measured. Throws MeterWindowError if not open. */
  async end(name: string, at: WindowTime & WindowOptions = {}): Promise<WindowMeasurement> {
    this.assertOpen();
    const window = this.windows.take(name, "end");
    // Asked at once, not after the begin reading arrives: the end is read as close to its time as possible.
    const [begin, { snapshot: end, peaks }] = await Promise.all([window.state.begin, this.sampler.end(window.id, at.atMs, at.alignToCounter)]);
    const measurement = measureWindow({ name, channels: this.sampler.ready.channels, begin, end, peaks, idle: this.idle, resolution: this.sampler.ready.resolution });
    if (this.intensity) measurement.carbon = carbonFor(measurement.totalEnergyJ, this.intensity);
    if (measurement.failedReads) this.warn(measurement.failedReads.note);
    return measurement;
  }

  /**
   * Each channel's update period and step as probed at open, and the slowest period among them (what a window must
   * span enough of: src/meter/resolution.ts).
   */
  resolution(): { updateS: number | null; stepJ: number | null; channels: ChannelResolution[] } {
    const channels = structuredClone(this.sampler.ready.resolution);
    const ms = slowestUpdateMs(channels);
    const slowest = channels.find((c) => c.updateMs === ms);
    return { updateS: ms === null ? null : ms / 1000, stepJ: slowest?.stepJ ?? null, channels };
  }

  /** Forgets window `name` without measuring it. Throws MeterWindowError if not open. */
  cancel(name: string): void {
    const window = this.windows.take(name, "cancel");
    window.state.begin.catch(() => undefined);
    this.sampler.drop(window.id);
  }

  /** Drops every open window (a notebook cell crashed mid-window); returns their names. */
  restart(): string[] {
    const dropped = this.windows.clear();
    for (const window of dropped) window.state.begin.catch(() => undefined);
    this.sampler.dropAll();
    return dropped.map((window) => window.name);
  }

  /** Power samples with fromMs ≤ tMs ≤ toMs (ms since open), oldest first; at most traceCapacity of them. */
  trace(fromMs?: number, toMs?: number): PowerSample[] {
    return this.sampler.trace(fromMs, toMs);
  }

  /**
   * Measures idle power per device over `seconds` while the caller does nothing; afterwards every window
   * reports dynamicEnergyJ = total − idle power × seconds, and idleShare.
   */
  async measureIdle(seconds: number): Promise<IdleBaseline> {
    this.assertOpen();
    if (!(seconds > 0)) throw new RangeError(`measureIdle needs a positive number of seconds, got ${seconds}`);
    const window = this.windows.add(`wattlab:idle#${Date.now()}`, (id) => ({ begin: this.sampler.begin(id) }));
    try {
      const begin = await window.state.begin;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      this.windows.take(window.name, "end");
      const { snapshot: end } = await this.sampler.end(window.id);
      this.idle = idleBaselineFrom(this.sampler.ready.channels, begin, end);
      return structuredClone(this.idle);
    } finally {
      this.windows.discard(window);
      this.sampler.drop(window.id);
    }
  }

  /** Stops the sampler thread and releases NVML. Open windows are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.restart();
    await this.sampler.close();
  }
}
