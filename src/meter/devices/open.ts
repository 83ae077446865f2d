// Picks the device families for a meter (NVML → nvidia-smi → none; RAPL → estimate → none) and says why.
import type { CpuDescription, GpuDescription } from "../description.js";
import { parseCudaVisibleDevices, selectVisible } from "../nvml/visible.js";
import type { Channel, DeviceGroup } from "./channel.js";
import { openCpuEstimate, readCpuModel, readCpuTimes } from "./cpu-estimate.js";
import { emptyGroup } from "./empty.js";
import { openNvmlGpus } from "./nvml-gpus.js";
import { openRapl, RaplUnavailableError } from "./rapl.js";
import { openSmiGpus } from "./smi-gpus.js";

export type GpuChoice = number[] | "visible" | "none";
export type CpuChoice = "rapl" | "estimate" | "auto" | "none";

export interface DeviceOptions {
  gpus: GpuChoice;
  cudaVisibleDevices: string | undefined;
  nvmlLibraryPath: string;
  cpu: CpuChoice;
  powercapRoot: string;
  cpuTdpW: number | undefined;
  /** WATTLAB_CPU_TDP_W as read by the main thread. */
  cpuTdpEnv: string | undefined;
  sampleMs: number;
  /** What the CPU estimate covers: "process" (default: this process tree's CPU time) or "machine" (every CPU). */
  cpuEstimateScope?: "process" | "machine";
}

export interface OpenedDevices {
  channels: Channel[];
  gpu: GpuDescription;
  cpu: CpuDescription;
  warnings: string[];
  close(): void;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function openGpus(options: DeviceOptions): Promise<{ group: DeviceGroup; description: GpuDescription }> {
  const base = { cudaVisibleDevices: options.cudaVisibleDevices ?? null, notes: [] as string[] };
  if (options.gpus === "none") {
    return { group: emptyGroup(), description: { ...base, source: "none", devices: [], driverVersion: null, library: null, reason: "gpus: \"none\"" } };
  }
  let nvmlFailure: string;
  try {
    const group = openNvmlGpus({ gpus: options.gpus, cudaVisibleDevices: options.cudaVisibleDevices, libraryPath: options.nvmlLibraryPath });
    return { group, description: group.description };
  } catch (error) {
    if (error instanceof RangeError) throw error;
    nvmlFailure = message(error);
  }
  try {
    let indices: number[] | "all" = options.gpus === "visible" ? "all" : options.gpus;
    const group = await openSmiGpus(indices, Math.max(options.sampleMs, 250));
    const notes: string[] = [];
    if (options.gpus === "visible") {
      const selection = selectVisible(parseCudaVisibleDevices(options.cudaVisibleDevices), group.log.gpus.length, (i) => group.log.gpus[i]?.uuid ?? "");
      indices = selection.indices;
      notes.push(...selection.notes);
      group.channels.splice(0, group.channels.length, ...group.channels.filter((channel) => (indices as number[]).includes(channel.info.index)));
    }
    const devices = group.log.gpus.filter((gpu) => indices === "all" || indices.includes(gpu.index));
    return {
      group,
      description: {
        ...base,
        notes,
        source: "nvidia-smi",
        devices,
        driverVersion: group.log.driverVersion,
        library: null,
        reason: `NVML unusable (${nvmlFailure}); power from nvidia-smi, integrated (no energy counter)`,
      },
    };
  } catch (error) {
    const reason = `NVML: ${nvmlFailure}; nvidia-smi: ${message(error)}`;
    if (options.gpus !== "visible") throw new Error(`cannot meter GPUs ${options.gpus.join(", ")}: ${reason}`);
    return { group: emptyGroup(), description: { ...base, source: "none", devices: [], driverVersion: null, library: null, reason } };
  }
}

function openCpu(options: DeviceOptions, warnings: string[]): { group: DeviceGroup; description: CpuDescription } {
  let logicalCpus = 0;
  try {
    logicalCpus = readCpuTimes().logicalCpus;
  } catch {
    // Not Linux: the estimate below will say so when it fails.
  }
  const base = { model: readCpuModel(), logicalCpus, zones: [], tdpW: null, tdpSource: null };
  if (options.cpu === "none") return { group: emptyGroup(), description: { ...base, source: "none", reason: "cpu: \"none\"" } };

  let raplReason: string | null = null;
  if (options.cpu === "rapl" || options.cpu === "auto") {
    try {
      const group = openRapl(options.powercapRoot);
      return { group, description: { ...base, source: "rapl", zones: group.zones, reason: null } };
    } catch (error) {
      if (!(error instanceof RaplUnavailableError)) throw error;
      if (options.cpu === "rapl") throw new Error(`cpu: "rapl" asked for, but RAPL is unusable: ${error.reason}`);
      raplReason = error.reason;
    }
  }
  try {
    const group = openCpuEstimate({ optionW: options.cpuTdpW, envW: options.cpuTdpEnv, scope: options.cpuEstimateScope });
    if (raplReason) {
      const what = group.scope === "process" ? "TDP per logical CPU × this process tree's CPU time" : "TDP × system-wide utilisation";
      warnings.push(`RAPL unavailable: ${raplReason}. CPU energy is estimated as ${what} (${group.tdp.tdpW.toFixed(0)} W, ${group.tdp.source}).`);
    }
    return {
      group,
      description: { ...base, model: group.model, logicalCpus: group.logicalCpus, source: "estimate", tdpW: group.tdp.tdpW, tdpSource: group.tdp.source, reason: raplReason, estimateScope: group.scope },
    };
  } catch (error) {
    if (error instanceof RangeError) throw error;
    const reason = `${raplReason ? `RAPL: ${raplReason}; ` : ""}estimate: ${message(error)}`;
    if (options.cpu === "estimate") throw new Error(`cpu: "estimate" asked for, but ${reason}`);
    warnings.push(`CPU energy not metered: ${reason}`);
    return { group: emptyGroup(), description: { ...base, source: "none", reason } };
  }
}

export async function openDevices(options: DeviceOptions): Promise<OpenedDevices> {
  const warnings: string[] = [];
  const gpus = await openGpus(options);
  let cpu: { group: DeviceGroup; description: CpuDescription };
  try {
    cpu = openCpu(options, warnings);
  } catch (error) {
    gpus.group.close();
    throw error;
  }
  return {
    channels: [...gpus.group.channels, ...cpu.group.channels],
    gpu: gpus.description,
    cpu: cpu.description,
    warnings,
    close() {
      gpus.group.close();
      cpu.group.close();
    },
  };
}
