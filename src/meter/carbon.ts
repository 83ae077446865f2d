// Grid carbon: gCO2eq = kWh × grid intensity (gCO2eq/kWh) × PUE. Intensity is resolved once per meter:
// a fixed value, else Electricity Maps live (when ELECTRICITYMAPS_API_TOKEN is set), else @tgwf/co2's
// offline yearly averages (Electricity Maps by zone, Ember by ISO alpha-3 country).
import { averageIntensity, electricityMaps } from "@tgwf/co2/data";
import type { CarbonEstimate, GridIntensity } from "./types.js";

export interface CarbonOptions {
  /** An Electricity Maps zone ("FR", "DE", "US-CAL-CISO") or an ISO alpha-3 country/region ("FRA", "USA", "WORLD").
   * Default: $WATTLAB_GRID_ZONE, else "WORLD". */
  zone?: string;
  /** A fixed grid intensity, used as given. Units: gCO2eq/kWh. */
  intensityGPerKwh?: number;
  /** Power usage effectiveness of the site (≥ 1). Default 1: energy as measured at the devices. */
  pue?: number;
  /** Year of the offline yearly average; default the latest year that has the zone. */
  year?: number;
  /** Ask Electricity Maps when ELECTRICITYMAPS_API_TOKEN is set. Default true. */
  live?: boolean;
  /** Default 3000. Units: ms. */
  fetchTimeoutMs?: number;
  /** Electricity Maps API base. Default https://api.electricitymap.org/v3. */
  electricityMapsUrl?: string;
}

export const JOULES_PER_KWH = 3.6e6;
const DEFAULT_ZONE = "WORLD";

/** gCO2eq for `energyJ` at `intensity`. Units: J in, g out. */
export function carbonFor(energyJ: number, intensity: GridIntensity): CarbonEstimate {
  return { ...intensity, gramsCo2eq: (energyJ / JOULES_PER_KWH) * intensity.intensityGPerKwh * intensity.pue };
}

function yearsDescending(): number[] {
  return Object.keys(electricityMaps)
    .map((key) => Number(key.replace("yearly", "")))
    .filter(Number.isFinite)
    .sort((a, b) => b - a);
}

/** Offline yearly figure for `zone`, or null when neither data set knows it. */
export function yearlyIntensity(zone: string, year?: number): { intensityGPerKwh: number; zone: string; year: number | null } | null {
  const upper = zone.toUpperCase();
  for (const candidate of year === undefined ? yearsDescending() : [year]) {
    const data = electricityMaps[`yearly${candidate}`]?.data;
    if (!data) continue;
    const key = data[zone] ? zone : Object.keys(data).find((name) => name.toUpperCase() === upper);
    if (key) return { intensityGPerKwh: data[key].carbonIntensity.value, zone: key, year: candidate };
  }
  // Ember's table states no year per figure: the latest year Ember had when @tgwf/co2 was released.
  const ember = averageIntensity.data[upper];
  return ember === undefined ? null : { intensityGPerKwh: ember, zone: upper, year: null };
}

/** Electricity Maps' latest figure for `zone` and the hour it applies to (`datetime`, ISO 8601). */
export async function latestIntensity(zone: string, token: string, options: Pick<CarbonOptions, "electricityMapsUrl" | "fetchTimeoutMs"> = {}): Promise<{ intensityGPerKwh: number; datetime: string | null }> {
  const body = (await electricityMapsGet("carbon-intensity/latest", zone, token, options)) as { carbonIntensity?: unknown; datetime?: unknown };
  if (typeof body.carbonIntensity !== "number") throw new Error("the answer holds no carbonIntensity");
  return { intensityGPerKwh: body.carbonIntensity, datetime: typeof body.datetime === "string" ? body.datetime : null };
}

/** Electricity Maps' past 24 hours for `zone`, oldest first: one figure per hour it has. */
export async function intensityHistory(zone: string, token: string, options: Pick<CarbonOptions, "electricityMapsUrl" | "fetchTimeoutMs"> = {}): Promise<{ datetime: string; intensityGPerKwh: number }[]> {
  const body = (await electricityMapsGet("carbon-intensity/history", zone, token, options)) as { history?: unknown };
  if (!Array.isArray(body.history)) throw new Error("the answer holds no history");
  return (body.history as { datetime?: unknown; carbonIntensity?: unknown }[])
    .filter((h) => typeof h.datetime === "string" && typeof h.carbonIntensity === "number")
    .map((h) => ({ datetime: h.datetime as string, intensityGPerKwh: h.carbonIntensity as number }))
    .sort((a, b) => a.datetime.localeCompare(b.datetime));
}

/** One GET of the Electricity Maps API; the token goes in the auth-token header only, never into a message. */
async function electricityMapsGet(path: string, zone: string, token: string, options: Pick<CarbonOptions, "electricityMapsUrl" | "fetchTimeoutMs">): Promise<unknown> {
  const base = (options.electricityMapsUrl ?? "https://api.electricitymap.org/v3").replace(/\/+$/, "");
  const response = await fetch(`${base}/${path}?zone=${encodeURIComponent(zone)}`, {
    headers: { "auth-token": token },
    signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 3000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function liveIntensity(zone: string, token: string, options: CarbonOptions): Promise<number> {
  return (await latestIntensity(zone, token, options)).intensityGPerKwh;
}

/**
 * Resolves the grid intensity. Never throws for a network failure: falls back to the offline figure and
 * says so in `warnings`. Throws for options that cannot be right (unknown zone, PUE < 1).
 */
export async function resolveGridIntensity(
  options: CarbonOptions = {},
  env: Record<string, string | undefined> = process.env,
): Promise<{ intensity: GridIntensity; warnings: string[] }> {
  const pue = options.pue ?? 1;
  if (!(pue >= 1)) throw new RangeError(`pue must be ≥ 1 (facility energy / IT energy), got ${options.pue}`);
  if (options.intensityGPerKwh !== undefined) {
    if (!(options.intensityGPerKwh >= 0)) throw new RangeError(`intensityGPerKwh must be ≥ 0, got ${options.intensityGPerKwh}`);
    return { intensity: { intensityGPerKwh: options.intensityGPerKwh, source: "fixed", zone: options.zone ?? null, year: null, pue }, warnings: [] };
  }
  const zone = options.zone ?? env.WATTLAB_GRID_ZONE ?? DEFAULT_ZONE;
  const warnings: string[] = [];
  const token = env.ELECTRICITYMAPS_API_TOKEN;
  if (token && options.live !== false) {
    try {
      const value = await liveIntensity(zone, token, options);
      return { intensity: { intensityGPerKwh: value, source: "electricitymaps", zone, year: null, pue }, warnings };
    } catch (error) {
      // The token must never reach a message or a file: only the zone and the failure.
      const why = error instanceof Error ? (error.name === "TimeoutError" ? "timed out" : error.message) : "failed";
      warnings.push(`Electricity Maps lookup for zone "${zone}" failed (${why}); using the offline yearly average from @tgwf/co2`);
    }
  }
  const yearly = yearlyIntensity(zone, options.year);
  if (!yearly) {
    throw new RangeError(
      `no grid intensity for zone "${zone}"${options.year ? ` in ${options.year}` : ""}: use an Electricity Maps zone ("FR", "US-CAL-CISO"), ` +
        `an ISO alpha-3 country ("FRA", "USA"), "WORLD", or give intensityGPerKwh`,
    );
  }
  return { intensity: { ...yearly, source: "tgwf-co2-yearly", pue }, warnings };
}
