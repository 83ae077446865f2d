// The sampler thread: owns every GPU and CPU channel (one NVML read can take milliseconds), samples on a timer,
// keeps cumulative energy per channel, writes power into the ring buffer both threads read and answers begin/end with a fresh reading.
import { parentPort, workerData } from "node:worker_threads";
import type { Channel, ChannelReading } from "./devices/channel.js";
import { openDevices, type OpenedDevices } from "./devices/open.js";
import { readCpuTimes } from "./devices/cpu-estimate.js";
import { nextChanges, probeResolution, steppedChannels, threadClock, valueAtEnd } from "./counter-watch.js";
import { createRing, RingWriter } from "./ring.js";
import type { ChannelSnapshot, FromWorker, SamplerConfig, Snapshot, ToWorker, WindowPeaks } from "./sampler-protocol.js";

/** Shortest interval over which a counter-only channel (RAPL) turns energy into power: shorter is all noise. */
const MIN_DERIVE_MS = 5;

class ChannelState {
  private lastCounterJ: number | null = null;
  private counterOk = false;
  private epoch = 0;
  private deriveFromJ: number | null = null;
  private deriveFromMs = 0;
  private integratedJ = 0;
  private integrating = false;
  private lastPowerW = 0;
  private lastPowerMs = 0;
  /** Latest known power for the trace and peaks; NaN before any. Units: W. */
  powerW = Number.NaN;
  memoryMb: number | null = null;
  /** GPU state from the latest full read (null before any, or where the device does not say). */
  temperatureC: number | null = null;
  smClockMhz: number | null = null;

  /** Exceptions thrown by read() (the channel's own failures count what it caught itself). */
  private thrown = 0;
  private lastThrown: string | null = null;

  constructor(readonly channel: Channel) {}

  update(tMs: number, full: boolean): void {
    let reading: ChannelReading;
    try {
      reading = this.channel.read(full);
    } catch (error) {
      this.thrown++;
      this.lastThrown = error instanceof Error ? error.message.split("\n")[0] : String(error);
      reading = { counterJ: this.channel.info.hasCounter ? null : undefined, powerW: null, memoryMb: null };
    }
    let powerW = reading.powerW;
    if (this.channel.info.hasCounter) {
      const counterJ = reading.counterJ ?? null;
      this.counterOk = counterJ !== null;
      if (counterJ !== null) {
        if (this.lastCounterJ !== null && counterJ < this.lastCounterJ) {
          this.epoch++;
          this.deriveFromJ = null;
        }
        this.lastCounterJ = counterJ;
        if (powerW === undefined && this.channel.derivesPower) powerW = this.derivePower(counterJ, tMs);
      }
    }
    if (typeof powerW === "number" && Number.isFinite(powerW)) {
      // Trapezoid; a failed reading in between is bridged by the next good one.
      if (this.integrating) this.integratedJ += ((powerW + this.lastPowerW) / 2) * ((tMs - this.lastPowerMs) / 1000);
      this.integrating = true;
      this.lastPowerW = powerW;
      this.lastPowerMs = tMs;
      this.powerW = powerW;
    }
    if (reading.memoryMb !== undefined && reading.memoryMb !== null) this.memoryMb = reading.memoryMb;
    if (reading.temperatureC !== undefined && reading.temperatureC !== null) this.temperatureC = reading.temperatureC;
    if (reading.smClockMhz !== undefined && reading.smClockMhz !== null) this.smClockMhz = reading.smClockMhz;
  }

  /** Average power since the last derivation point, or undefined when too little time has passed. */
  private derivePower(counterJ: number, tMs: number): number | undefined {
    if (this.deriveFromJ === null) {
      this.deriveFromJ = counterJ;
      this.deriveFromMs = tMs;
      return undefined;
    }
    if (tMs - this.deriveFromMs < MIN_DERIVE_MS) return undefined;
    const powerW = (counterJ - this.deriveFromJ) / ((tMs - this.deriveFromMs) / 1000);
    this.deriveFromJ = counterJ;
    this.deriveFromMs = tMs;
    return powerW;
  }

  /**
   * At `tMs`; power not read at this instant keeps its last value up to it (a rectangle). `backMs`: the
   * window really began or ended that long before this reading (a marker timestamped on arrival), so both
   * sums are moved back by the latest power × backMs.
   */
  snapshot(tMs: number, backMs = 0): ChannelSnapshot {
    const backJ = backMs > 0 && Number.isFinite(this.powerW) ? this.powerW * (backMs / 1000) : 0;
    return {
      counterJ: this.counterOk && this.lastCounterJ !== null ? this.lastCounterJ - backJ : null,
      epoch: this.epoch,
      integratedJ: this.integrating ? this.integratedJ + this.lastPowerW * (Math.max(0, tMs - this.lastPowerMs) / 1000) - backJ : null,
      failedReads: this.thrown + (this.channel.failures?.count ?? 0),
      lastFailure: this.channel.failures?.last ?? this.lastThrown,
    };
  }
}

const config = workerData as SamplerConfig;
const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);
const clockMs = (): number => performance.timeOrigin + performance.now() - config.epochMs;

/** The worker's devices and open windows: samples on a timer, snapshots on request (aligned to counter updates). */
class Sampler {
  readonly states: ChannelState[];
  // Know the instrument: each counter's update period and step, watched before the first window can open.
  private readonly watch = threadClock(clockMs);
  readonly resolution: ReturnType<typeof probeResolution>;
  private readonly stepped: number[];
  private readonly periodMs: number;
  readonly ring: ReturnType<typeof createRing>;
  private readonly writer: RingWriter;
  private readonly watts: Float64Array;
  private readonly open = new Map<number, WindowPeaks>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly devices: OpenedDevices) {
    this.states = devices.channels.map((channel) => new ChannelState(channel));
    this.resolution = probeResolution(devices.channels, this.watch, { probeForMs: config.probeMs ?? 450, sampleMs: config.sampleMs });
    this.stepped = steppedChannels(this.resolution);
    this.periodMs = Math.max(0, ...this.stepped.map((i) => this.resolution[i].updateMs ?? 0));
    this.ring = createRing(config.ringCapacity, this.states.length);
    this.writer = new RingWriter(this.ring);
    this.watts = new Float64Array(this.states.length);
  }

  /** A full sample (timer) feeds the ring and the peaks; an energy-only one (begin/end) just moves the sums. */
  sample(full: boolean): number {
    const { states, watts } = this;
    const tMs = clockMs();
    for (const state of states) state.update(tMs, full);
    if (!full) return tMs;
    let totalW = 0;
    let anyPower = false;
    states.forEach((state, i) => {
      watts[i] = state.powerW;
      if (Number.isFinite(state.powerW)) {
        totalW += state.powerW;
        anyPower = true;
      }
    });
    this.writer.push(tMs, watts);
    for (const peaks of this.open.values()) {
      if (anyPower) peaks.peakPowerW = Math.max(peaks.peakPowerW ?? 0, totalW);
      for (const state of states) {
        if (state.channel.info.kind !== "gpu" || state.memoryMb === null) continue;
        const key = state.channel.info.key;
        peaks.memoryMb[key] = Math.max(peaks.memoryMb[key] ?? 0, state.memoryMb);
      }
    }
    return tMs;
  }

  /** Read at `tMs`; dated `atMs` (≤ tMs) when the main thread timestamped the event before asking. */
  snapshot(tMs: number, atMs = tMs): Snapshot {
    const states = this.states;
    const backMs = Math.max(0, tMs - atMs);
    const gpuState: NonNullable<Snapshot["gpuState"]> = {};
    for (const state of states) {
      if (state.channel.info.kind !== "gpu") continue;
      gpuState[state.channel.info.key] = { temperatureC: state.temperatureC, smClockMhz: state.smClockMhz, powerW: Number.isFinite(state.powerW) ? state.powerW : null };
    }
    let systemCpu: Snapshot["systemCpu"] = null;
    try {
      const t = readCpuTimes();
      const own = process.cpuUsage();
      systemCpu = { busyS: t.busy / 100, totalS: t.total / 100, ownS: (own.user + own.system) / 1e6 };
    } catch { /* not Linux */ }
    return {
      tMs: tMs - backMs,
      channels: Object.fromEntries(states.map((state) => [state.channel.info.key, state.snapshot(tMs, backMs)])),
      gpuState,
      systemCpu,
    };
  }

  /** An aligned begin: wait for each stepped counter's next update, read then (exact), carried to now at its power. */
  private alignedBegin(): Snapshot {
    const { stepped, states } = this;
    const ticks = nextChanges(stepped.map((i) => states[i].channel), this.watch, 1.5 * this.periodMs);
    const tMs = this.sample(false);
    const snap = this.snapshot(tMs);
    stepped.forEach((i, k) => {
      const tick = ticks[k];
      const state = states[i];
      if (!tick) return;
      const carriedJ = Number.isFinite(state.powerW) ? state.powerW * (Math.max(0, tMs - tick.tMs) / 1000) : 0;
      snap.channels[state.channel.info.key].counterJ = tick.valueJ + carriedJ;
    });
    return snap;
  }

  /** An aligned end: read now, then the next two updates of each stepped counter give its value at now exactly. */
  private alignedEnd(): Snapshot {
    const { stepped, states } = this;
    const tMs = this.sample(false);
    const snap = this.snapshot(tMs);
    const channels = stepped.map((i) => states[i].channel);
    const first = nextChanges(channels, this.watch, 1.5 * this.periodMs);
    const second = nextChanges(channels, this.watch, 1.5 * this.periodMs, 1, first.map((c) => c?.valueJ ?? null));
    stepped.forEach((i, k) => {
      const value = valueAtEnd(tMs, first[k], second[k]);
      const key = states[i].channel.info.key;
      if (value !== null && snap.channels[key].counterJ !== null) snap.channels[key].counterJ = value;
    });
    return snap;
  }

  /** Samples every `sampleMs` from now on. */
  start(): void {
    this.sample(true);
    let nextMs = clockMs() + config.sampleMs;
    const tick = (): void => {
      this.sample(true);
      nextMs += config.sampleMs;
      // After a stall (a slow NVML read, GC), skip missed ticks rather than bursting.
      if (nextMs < clockMs()) nextMs = clockMs() + config.sampleMs;
      this.timer = setTimeout(tick, nextMs - clockMs());
    };
    this.timer = setTimeout(tick, config.sampleMs);
  }

  /** Opens a window's peaks and answers with its starting snapshot. */
  private begin(message: Extract<ToWorker, { type: "begin" }>): void {
    // Seeded with the memory last seen: a window shorter than a sampling period still reports it.
    const memoryMb: Record<string, number> = {};
    for (const state of this.states) if (state.channel.info.kind === "gpu" && state.memoryMb !== null) memoryMb[state.channel.info.key] = state.memoryMb;
    this.open.set(message.window, { peakPowerW: null, memoryMb });
    if (message.align && message.atMs === undefined && this.stepped.length > 0) {
      post({ type: "snapshot", request: message.request, snapshot: this.alignedBegin(), peaks: null });
      return;
    }
    const tMs = this.sample(false);
    post({ type: "snapshot", request: message.request, snapshot: this.snapshot(tMs, message.atMs), peaks: null });
  }

  /** Closes a window and answers with its ending snapshot and peaks. */
  private end(message: Extract<ToWorker, { type: "end" }>): void {
    const peaks = this.open.get(message.window) ?? null;
    this.open.delete(message.window);
    if (message.align && message.atMs === undefined && this.stepped.length > 0) {
      post({ type: "snapshot", request: message.request, snapshot: this.alignedEnd(), peaks });
      return;
    }
    const tMs = this.sample(false);
    post({ type: "snapshot", request: message.request, snapshot: this.snapshot(tMs, message.atMs), peaks });
  }

  /** One message from the meter. */
  handle(message: ToWorker): void {
    switch (message.type) {
      case "begin":
        this.begin(message);
        break;
      case "end":
        this.end(message);
        break;
      case "drop":
        this.open.delete(message.window);
        break;
      case "dropAll":
        this.open.clear();
        break;
      case "close":
        clearTimeout(this.timer);
        this.devices.close();
        post({ type: "closed", request: message.request });
        port.close();
        break;
    }
  }
}

async function run(): Promise<void> {
  let devices: OpenedDevices;
  try {
    devices = await openDevices(config);
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const sampler = new Sampler(devices);
  sampler.start();
  port.on("message", (message: ToWorker) => sampler.handle(message));
  post({ type: "ready", channels: sampler.states.map((state) => state.channel.info), gpu: devices.gpu, cpu: devices.cpu, warnings: devices.warnings, ring: sampler.ring, resolution: sampler.resolution });
}

void run();
