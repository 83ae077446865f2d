// GPUs through nvidia-smi (node-nvidia-smi): device facts for metadata, and power when NVML cannot load.
// One `nvidia-smi -q -x` takes a few hundred ms, so a background loop refreshes a cache that read() serves.
import nvidiaSmi from "node-nvidia-smi";
import type { GpuFacts } from "../description.js";
import type { Channel, ChannelInfo, ChannelReading, DeviceGroup, ReadFailures } from "./channel.js";

export interface SmiGpu extends GpuFacts {
  powerW: number | null;
  memoryUsedMb: number | null;
}

export interface SmiLog {
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: SmiGpu[];
}

/** "70.12 W", "81559 MiB", "1980 MHz" → the number; "N/A" and absent → null. */
function figure(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const number = Number.parseFloat(value);
  return Number.isFinite(number) ? number : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" && value !== "N/A" ? value : null;
}

type Xml = Record<string, unknown>;
const child = (node: unknown, key: string): Xml => ((node as Xml | undefined)?.[key] ?? {}) as Xml;

/** Reads xml2js's object for `nvidia-smi -q -x`; drivers ≥ 530 moved power into gpu_power_readings. */
export function parseSmiLog(data: unknown): SmiLog {
  const log = child(data, "nvidia_smi_log");
  const raw = log.gpu === undefined ? [] : Array.isArray(log.gpu) ? log.gpu : [log.gpu];
  const gpus = raw.map((gpu: Xml, index: number): SmiGpu => {
    const power = { ...child(gpu, "power_readings"), ...child(gpu, "gpu_power_readings") };
    const memory = child(gpu, "fb_memory_usage");
    const clocks = child(gpu, "clocks");
    const powerW = figure(power.power_draw) ?? figure(power.instant_power_draw) ?? figure(power.average_power_draw);
    return {
      index,
      name: text(gpu.product_name) ?? `GPU ${index}`,
      uuid: text(gpu.uuid),
      memoryTotalMb: figure(memory.total),
      powerLimitW: figure(power.enforced_power_limit) ?? figure(power.power_limit) ?? figure(power.current_power_limit),
      smClockMhz: figure(clocks.sm_clock),
      memoryClockMhz: figure(clocks.mem_clock),
      energyCounter: false,
      powerReadings: powerW !== null,
      powerW,
      memoryUsedMb: figure(memory.used),
    };
  });
  return { driverVersion: text(log.driver_version), cudaVersion: text(log.cuda_version), gpus };
}

/** One `nvidia-smi -q -x`, parsed; rejects when nvidia-smi is absent or fails (message kept short). */
export function querySmi(timeoutMs = 10_000): Promise<SmiLog> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nvidia-smi did not answer within ${timeoutMs} ms`)), timeoutMs);
    nvidiaSmi((error, data) => {
      clearTimeout(timer);
      if (error) {
        const message = error instanceof Error ? error.message : String(error);
        reject(new Error(/not found|ENOENT|127/.test(message) ? "nvidia-smi not found on PATH" : `nvidia-smi failed: ${message.trim().split("\n")[0]}`));
      } else {
        resolve(parseSmiLog(data));
      }
    });
  });
}

class SmiGpuChannel implements Channel {
  latest: { powerW: number | null; memoryMb: number | null } = { powerW: null, memoryMb: null };
  /** Failed nvidia-smi runs since open (each leaves the GPU without power until the next good one). */
  readonly failures: ReadFailures = { count: 0, last: null };
  constructor(readonly info: ChannelInfo) {}
  read(_full: boolean): ChannelReading {
    return { powerW: this.latest.powerW, memoryMb: this.latest.memoryMb };
  }
}

export interface SmiGpuGroup extends DeviceGroup {
  log: SmiLog;
}

/**
 * GPUs `indices` (positions in nvidia-smi's list, which is NVML order), power from a loop that re-runs
 * nvidia-smi every `periodMs` after the previous one finished.
 */
export async function openSmiGpus(indices: number[] | "all", periodMs: number): Promise<SmiGpuGroup> {
  const log = await querySmi();
  const chosen = log.gpus.filter((gpu) => indices === "all" || indices.includes(gpu.index));
  const channels = chosen
    .filter((gpu) => gpu.powerReadings)
    .map((gpu) => {
      const channel = new SmiGpuChannel({ key: `gpu${gpu.index}`, kind: "gpu", label: gpu.name, index: gpu.index, hasCounter: false, powerSource: "integrated" });
      channel.latest = { powerW: gpu.powerW, memoryMb: gpu.memoryUsedMb };
      return channel;
    });
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  const refresh = async (): Promise<void> => {
    try {
      const next = await querySmi();
      for (const channel of channels) {
        const gpu = next.gpus.find((candidate) => candidate.index === channel.info.index);
        channel.latest = { powerW: gpu?.powerW ?? null, memoryMb: gpu?.memoryUsedMb ?? null };
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      for (const channel of channels) {
        channel.latest = { powerW: null, memoryMb: null };
        channel.failures.count++;
        channel.failures.last = why;
      }
    }
    if (open) timer = setTimeout(refresh, periodMs);
  };
  timer = setTimeout(refresh, periodMs);
  return {
    channels,
    log: { ...log, gpus: chosen },
    close() {
      open = false;
      clearTimeout(timer);
    },
  };
}
