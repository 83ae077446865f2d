// GPUs through NVML: the energy counter where the GPU has one (Volta+), power and memory every sample.
import type { GpuDescription, GpuFacts } from "../description.js";
import { NvmlError } from "../nvml/errors.js";
import { NvmlLibrary, type NvmlDeviceHandle } from "../nvml/library.js";
import { parseCudaVisibleDevices, selectVisible } from "../nvml/visible.js";
import type { Channel, ChannelInfo, ChannelReading, DeviceGroup, ReadFailures } from "./channel.js";

export interface NvmlGpuOptions {
  /** NVML indices, or "visible" for CUDA_VISIBLE_DEVICES (all when unset). */
  gpus: number[] | "visible";
  cudaVisibleDevices: string | undefined;
  libraryPath: string;
}

const MIB = 1024 * 1024;

/** Runs `read`, answering null for a failed call: a reading that fails once must not stop the sampler. */
function orNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (error instanceof NvmlError) return null;
    throw error;
  }
}

class NvmlGpuChannel implements Channel {
  readonly failures: ReadFailures = { count: 0, last: null };

  constructor(
    readonly info: ChannelInfo,
    private readonly nvml: NvmlLibrary,
    private readonly handle: NvmlDeviceHandle,
    private readonly hasPower: boolean,
  ) {}

  /** orNull that counts: a reading the GPU does not offer (NOT_SUPPORTED) is a fact of the device, any other a failure. */
  private counted<T>(read: () => T): T | null {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof NvmlError)) throw error;
      if (!error.notSupported) {
        this.failures.count++;
        this.failures.last = `${error.symbol} from ${error.call}`;
      }
      return null;
    }
  }

  read(full: boolean): ChannelReading {
    const reading: ChannelReading = {};
    if (this.info.hasCounter) {
      const mj = this.counted(() => this.nvml.totalEnergyMj(this.handle));
      reading.counterJ = mj === null ? null : mj / 1000;
      if (!full && mj !== null) return reading;
    }
    if (this.hasPower) reading.powerW = this.counted(() => this.nvml.powerMw(this.handle) / 1000);
    if (full) {
      const memory = this.counted(() => this.nvml.memory(this.handle));
      reading.memoryMb = memory === null ? null : memory.usedBytes / MIB;
      // thermal and clock state, recorded at each window's start and end (from the latest full read)
      reading.temperatureC = this.counted(() => this.nvml.temperatureC(this.handle));
      reading.smClockMhz = this.counted(() => this.nvml.clockMhz(this.handle, "sm"));
    }
    return reading;
  }
}

export interface NvmlGpuGroup extends DeviceGroup {
  description: GpuDescription;
}

/** Loads and initialises NVML and picks the GPUs; throws NvmlLoadError/NvmlError when NVML is unusable. */
export function openNvmlGpus(options: NvmlGpuOptions): NvmlGpuGroup {
  const nvml = NvmlLibrary.load(options.libraryPath);
  try {
    nvml.init();
  } catch (error) {
    nvml.unload();
    throw error;
  }
  try {
    return describeAndOpen(nvml, options);
  } catch (error) {
    orNull(() => nvml.shutdown());
    nvml.unload();
    throw error;
  }
}

function describeAndOpen(nvml: NvmlLibrary, options: NvmlGpuOptions): NvmlGpuGroup {
  const count = nvml.deviceCount();
  const notes: string[] = [];
  let indices: number[];
  if (options.gpus === "visible") {
    const selection = selectVisible(parseCudaVisibleDevices(options.cudaVisibleDevices), count, (i) => nvml.uuid(nvml.handle(i)));
    indices = selection.indices;
    notes.push(...selection.notes);
  } else {
    const missing = options.gpus.filter((i) => !Number.isInteger(i) || i < 0 || i >= count);
    if (missing.length > 0) {
      throw new RangeError(`gpus option lists ${missing.join(", ")}, but NVML sees ${count} GPU(s) (indices 0..${count - 1}): check \`nvidia-smi -L\``);
    }
    indices = [...new Set(options.gpus)];
  }

  const devices: GpuFacts[] = [];
  const channels: Channel[] = [];
  for (const index of indices) {
    const handle = nvml.handle(index);
    const energyCounter = orNull(() => nvml.totalEnergyMj(handle)) !== null;
    const powerReadings = orNull(() => nvml.powerMw(handle)) !== null;
    const name = orNull(() => nvml.name(handle)) ?? `GPU ${index}`;
    const powerLimitMw = orNull(() => nvml.enforcedPowerLimitMw(handle));
    const memory = orNull(() => nvml.memory(handle));
    devices.push({
      index,
      name,
      uuid: orNull(() => nvml.uuid(handle)),
      memoryTotalMb: memory === null ? null : memory.totalBytes / MIB,
      powerLimitW: powerLimitMw === null ? null : powerLimitMw / 1000,
      smClockMhz: orNull(() => nvml.clockMhz(handle, "sm")),
      memoryClockMhz: orNull(() => nvml.clockMhz(handle, "memory")),
      energyCounter,
      powerReadings,
    });
    if (!energyCounter && !powerReadings) {
      notes.push(`GPU ${index} (${name}) answers neither the energy counter nor power readings: not metered`);
      continue;
    }
    if (!energyCounter) notes.push(`GPU ${index} (${name}) has no energy counter: its windows integrate power samples`);
    const info: ChannelInfo = { key: `gpu${index}`, kind: "gpu", label: name, index, hasCounter: energyCounter, powerSource: "integrated" };
    channels.push(new NvmlGpuChannel(info, nvml, handle, powerReadings));
  }

  return {
    channels,
    description: {
      source: "nvml",
      devices,
      driverVersion: orNull(() => nvml.driverVersion()),
      library: nvml.path,
      cudaVisibleDevices: options.cudaVisibleDevices ?? null,
      reason: indices.length === 0 ? "no GPU selected (CUDA_VISIBLE_DEVICES or the gpus option leaves none)" : null,
      notes,
    },
    close() {
      orNull(() => nvml.shutdown());
      nvml.unload();
    },
  };
}
