// `wattlab info`: what the meter can see on this machine, with nvidia-smi's facts when it is there.
import type { MeterDescription } from "./description.js";
import { querySmi, type SmiLog } from "./devices/smi-gpus.js";
import { Meter, type MeterOptions } from "./meter.js";

export interface MeterInfo {
  meter: MeterDescription;
  /** nvidia-smi's view (driver, CUDA version, per-GPU facts), or why it is absent. */
  nvidiaSmi: SmiLog | { unavailable: string };
}

/** Opens a meter briefly to see what it finds; never throws for missing hardware. */
export async function describeMeters(options: MeterOptions = {}): Promise<MeterInfo> {
  const meter = await Meter.open({ onWarning: () => undefined, ...options });
  let description: MeterDescription;
  try {
    description = meter.describe();
  } finally {
    await meter.close();
  }
  let nvidiaSmi: MeterInfo["nvidiaSmi"];
  try {
    nvidiaSmi = await querySmi();
  } catch (error) {
    nvidiaSmi = { unavailable: error instanceof Error ? error.message : String(error) };
  }
  return { meter: description, nvidiaSmi };
}

const orDash = (value: unknown): string => (value === null || value === undefined ? "—" : String(value));

/** A human-readable block for the CLI. */
export function formatMeterInfo(info: MeterInfo): string {
  const { gpu, cpu, carbon, sampleMs, warnings } = info.meter;
  const lines: string[] = [];
  lines.push(`GPU energy: ${gpu.source}${gpu.driverVersion ? ` (driver ${gpu.driverVersion})` : ""}${gpu.reason ? ` — ${gpu.reason}` : ""}`);
  for (const device of gpu.devices) {
    lines.push(
      `  gpu${device.index}: ${device.name}, ${orDash(device.memoryTotalMb?.toFixed(0))} MB, limit ${orDash(device.powerLimitW?.toFixed(0))} W, ` +
        `energy counter ${device.energyCounter ? "yes" : "no"}, power ${device.powerReadings ? "yes" : "no"}`,
    );
  }
  for (const note of gpu.notes) lines.push(`  note: ${note}`);
  if (gpu.cudaVisibleDevices !== null) lines.push(`  CUDA_VISIBLE_DEVICES=${gpu.cudaVisibleDevices}`);
  lines.push(`CPU energy: ${cpu.source}${cpu.model ? ` (${cpu.model}, ${cpu.logicalCpus} logical CPUs)` : ""}`);
  for (const zone of cpu.zones) lines.push(`  ${zone.kind}: ${zone.name} at ${zone.path}`);
  if (cpu.tdpW !== null) lines.push(`  estimate: ${cpu.tdpW.toFixed(0)} W × utilisation (${cpu.tdpSource})`);
  if (cpu.reason) lines.push(`  why not RAPL: ${cpu.reason}`);
  lines.push(`Sampling every ${sampleMs} ms`);
  if (carbon) lines.push(`Grid: ${carbon.intensityGPerKwh} gCO2eq/kWh (${carbon.source}, ${orDash(carbon.zone)}, ${orDash(carbon.year)}), PUE ${carbon.pue}`);
  if ("unavailable" in info.nvidiaSmi) lines.push(`nvidia-smi: ${info.nvidiaSmi.unavailable}`);
  else lines.push(`nvidia-smi: driver ${orDash(info.nvidiaSmi.driverVersion)}, CUDA ${orDash(info.nvidiaSmi.cudaVersion)}, ${info.nvidiaSmi.gpus.length} GPU(s)`);
  for (const warning of warnings) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}
