// The carbon flags, declared once for sweep, generate, main and meter (src/sweep/carbon.ts holds the setting itself).
import { yearlyIntensity, type CarbonOptions } from "../meter/carbon.js";
import { DEFAULT_ZONE, embodiedCarbon, CARBON_ENV, CARBON_FLAGS, CarbonSettingError, carbonSettingFromEnv, checkCarbonSetting, checkEmbodied, flagName, mergeCarbonSettings, type CarbonSetting } from "../sweep/carbon.js";
import { get, UsageError, type OptionSpec, type ParsedArgs } from "./args.js";

/** Grid flags every command that reports gCO2eq takes. */
export const GRID_OPTIONS: OptionSpec[] = [
  { name: "zone", kind: "string", help: "grid zone for gCO2eq: an Electricity Maps zone (FR, DE, US-CAL-CISO) or ISO alpha-3 country (FRA), default $WATTLAB_GRID_ZONE or WORLD" },
  { name: "pue", kind: "number", help: "power usage effectiveness of the site (≥ 1; default $WATTLAB_PUE or 1)" },
  { name: "carbon-intensity", kind: "number", help: "a fixed grid intensity instead of a lookup ($WATTLAB_CARBON_INTENSITY). Units: gCO2eq/kWh" },
  { name: "carbon-source", kind: "string", help: "live (Electricity Maps when ELECTRICITYMAPS_API_TOKEN is set, the default) or yearly (@tgwf/co2's offline yearly averages)" },
];

/** Embodied carbon: the hardware's manufacturing emissions charged by seconds of use (off unless given). */
export const EMBODIED_OPTIONS: OptionSpec[] = [
  { name: "embodied-kgco2e", kind: "number", help: "the hardware's manufacturing emissions, for an estimated embodied share per run (off unless given; needs --lifetime-years). Units: kgCO2e" },
  { name: "lifetime-years", kind: "number", help: "service life the embodied emissions are spread over. Units: years" },
  { name: "utilisation", kind: "number", help: "share of its life the hardware is busy, (0, 1] (default 1)" },
];

/** Sweeps take every carbon flag: grid, the live cache, embodied. */
export const CARBON_OPTIONS: OptionSpec[] = [
  ...GRID_OPTIONS,
  { name: "carbon-cache-s", kind: "number", help: "reuse a live intensity this long per zone (default 900). Units: s" },
  ...EMBODIED_OPTIONS,
];

/** The flags' layer of the carbon setting (only those given); a bad value is one line naming the flag and the fix. */
export function carbonFromArgs(parsed: ParsedArgs, command: string): CarbonSetting {
  const setting: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(CARBON_FLAGS)) {
    if (parsed.options[flag] === undefined) continue;
    const value = field === "zone" || field === "source" ? get.string(parsed, flag) : get.number(parsed, flag);
    if (value !== undefined) setting[field] = value;
  }
  try {
    return checkCarbonSetting(setting as CarbonSetting, (f) => `--${flagName(f)}`);
  } catch (error) {
    if (error instanceof CarbonSettingError) throw new UsageError(`wattlab ${command}: ${error.message}`);
    throw error;
  }
}

/** The whole setting a command runs under: environment, then flags; checked as a whole. */
export function effectiveCarbon(parsed: ParsedArgs, command: string, env: Record<string, string | undefined> = process.env): CarbonSetting {
  const flags = carbonFromArgs(parsed, command);
  try {
    const merged = mergeCarbonSettings(carbonSettingFromEnv(env), flags);
    checkEmbodied(merged);
    return merged;
  } catch (error) {
    if (error instanceof CarbonSettingError) throw new UsageError(`wattlab ${command}: ${error.message}`);
    throw error;
  }
}

/** The flags again, for child processes (sweep --gpus workers). */
export function carbonArgs(setting: CarbonSetting): string[] {
  return Object.entries(CARBON_FLAGS).flatMap(([flag, field]) => (setting[field] === undefined ? [] : [`--${flag}`, String(setting[field])]));
}

/** The same setting as environment variables (for notebooks run by `wattlab main`). */
export function carbonEnv(setting: CarbonSetting): Record<string, string> {
  return Object.fromEntries(Object.entries(CARBON_ENV).filter(([, field]) => setting[field] !== undefined).map(([name, field]) => [name, String(setting[field])]));
}

/**
 * The meter's form (generate, meter): one intensity for the whole measurement. A zone no offline table knows is refused
 * here, before anything runs, when there is no token to ask Electricity Maps with.
 */
export function meterCarbon(setting: CarbonSetting, command: string, env: Record<string, string | undefined> = process.env): CarbonOptions {
  const zone = setting.zone ?? DEFAULT_ZONE;
  const live = setting.source !== "yearly" && Boolean(env.ELECTRICITYMAPS_API_TOKEN);
  if (setting.intensityGPerKwh === undefined && !live && !yearlyIntensity(zone)) {
    throw new UsageError(`wattlab ${command}: no grid intensity for zone "${zone}": use an Electricity Maps zone (FR, US-CAL-CISO), an ISO alpha-3 country (FRA, USA), WORLD, or --carbon-intensity G_PER_KWH`);
  }
  return {
    zone: setting.zone, pue: setting.pue, intensityGPerKwh: setting.intensityGPerKwh,
    live: setting.source !== "yearly", electricityMapsUrl: setting.electricityMapsUrl, fetchTimeoutMs: setting.fetchTimeoutMs,
  };
}

/** The report's carbon lines for one measurement: operational (from the meter's windows) and, when asked for, embodied. */
export function carbonReportLines(carbon: { gramsCo2eq: number; intensityGPerKwh: number; source: string; zone: string | null; year: number | null; pue: number } | null | undefined,
  setting: CarbonSetting, seconds: number): string[] {
  const lines: string[] = [];
  if (carbon) {
    const where = [carbon.zone, carbon.year].filter((x) => x !== null).join(" ");
    lines.push(`${carbon.gramsCo2eq.toPrecision(4)} gCO2eq at ${carbon.intensityGPerKwh} g/kWh × PUE ${carbon.pue} (${carbon.source}${where ? " " + where : ""})`);
  }
  const embodied = embodiedCarbon(setting, seconds);
  if (embodied) lines.push(`${embodied.gco2eq.toPrecision(4)} gCO2eq embodied, ESTIMATED (${embodied.source.replace(/^estimated: /, "")}); not added to the above`);
  return lines;
}
