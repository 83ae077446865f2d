// One carbon setting for every sweep row: the grid zone, the site's PUE and where the intensity comes from
// (Electricity Maps live when ELECTRICITYMAPS_API_TOKEN is set, @tgwf/co2's yearly averages offline, or a fixed
// value), set once by CLI flags, environment variables, a spec's `carbon` field or a notebook parameter.
// Precedence: flags / call options > environment > spec > defaults (zone WORLD, PUE 1).
//
// Live figures are taken per run and cached per zone for `cacheS` seconds; the row carries the hour the figure
// applies to. A failed lookup (HTTP error, timeout, unknown zone) is one warning and the yearly figure, labelled.
// The token is read from the environment only and never written to a row, a message or a file.
// The setting itself (types, parsing, checks, flags) lives in src/sweep/carbon-setting.ts, re-exported here.
//
// Embodied carbon (off unless asked for): the hardware's manufacturing emissions spread over its service life at an
// assumed utilisation, charged by the run's seconds: g = kgCO2e × 1000 × seconds / (lifetime s × utilisation).
// wattlab ships no hardware figure (no published per-device figure is built in), so the user gives it.
import { JOULES_PER_KWH, latestIntensity, yearlyIntensity } from "../meter/carbon.js";
import type { CarbonFigure } from "./record.js";
import { WORLD_INTENSITY_G_PER_KWH } from "./record-carbon.js";
import { checkCarbonSetting, checkEmbodied, DEFAULT_CARBON_CACHE_S, DEFAULT_ZONE, type CarbonSetting } from "./carbon-setting.js";

export {
  CARBON_ENV, CARBON_FLAGS, carbonSettingFromEnv, carbonSettingFromJson, carbonSettingToJson, CarbonSettingError, checkCarbonSetting,
  checkEmbodied, DEFAULT_CARBON_CACHE_S, DEFAULT_ZONE, describeSetting, flagName, isLive, mergeCarbonSettings,
  type CarbonSetting, type CarbonSourceChoice, type CarbonSpecJson,
} from "./carbon-setting.js";

const SECONDS_PER_YEAR = 365.25 * 24 * 3600;

/** The world average as shipped in @tgwf/co2 (Ember): WORLD_INTENSITY_G_PER_KWH, its one definition. Units: gCO2eq/kWh. */
export function worldIntensityGPerKwh(): number {
  return WORLD_INTENSITY_G_PER_KWH;
}

/** The intensity a run is charged at. */
export interface RunIntensity {
  intensityGPerKwh: number;
  kind: "electricitymaps" | "tgwf-co2-yearly" | "fixed";
  zone: string | null;
  year: number | null;
  /** The hour a live figure applies to (ISO 8601); null otherwise. */
  datetime: string | null;
  pue: number;
  /** Why this is not the figure asked for (a failed lookup, an unknown zone); null when it is. */
  fallback: string | null;
}

/** The row's carbon_source text: where the figure came from, the zone and year or hour, the value and the PUE. */
export function describeIntensity(i: RunIntensity): string {
  const where = [i.zone, i.year ?? i.datetime].filter((x) => x !== null && x !== undefined).join(" ");
  const basis = i.kind === "tgwf-co2-yearly" && i.year === null ? " (Ember yearly average via @tgwf/co2)" : "";
  return `${i.kind}${where ? " " + where : ""}${basis}, ${i.intensityGPerKwh} g/kWh × PUE ${i.pue}${i.fallback ? ` [fallback: ${i.fallback}]` : ""}`;
}

/** The embodied share of a run of `seconds`: estimated, with what it assumed. Null when no embodied figure is set. */
export function embodiedCarbon(setting: CarbonSetting, seconds: number): { gco2eq: number; source: string } | null {
  if (setting.embodiedKgCo2e === undefined || setting.lifetimeYears === undefined || !(seconds >= 0)) return null;
  const utilisation = setting.utilisation ?? 1;
  return {
    gco2eq: (setting.embodiedKgCo2e * 1000 * seconds) / (setting.lifetimeYears * SECONDS_PER_YEAR * utilisation),
    source: `estimated: user figure ${setting.embodiedKgCo2e} kgCO2e over ${setting.lifetimeYears} years at ${utilisation * 100}% utilisation, charged by the run's seconds`,
  };
}

export interface GridCarbonOptions {
  env?: Record<string, string | undefined>;
  /** One line per problem (a failed lookup, a missing token); each is said once per zone. */
  warn?: (message: string) => void;
  /** Clock for the cache. Units: ms. */
  now?: () => number;
}

/**
 * Resolves intensities for runs: fixed, yearly, or live per run with a per-zone cache. Never throws for a lookup
 * that fails: the yearly figure, labelled, and one warning.
 */
export class GridCarbon {
  readonly setting: CarbonSetting;
  private readonly env: Record<string, string | undefined>;
  private readonly warn: (message: string) => void;
  private readonly now: () => number;
  private readonly cache = new Map<string, { atMs: number; value: RunIntensity }>();
  private readonly warned = new Set<string>();

  constructor(setting: CarbonSetting = {}, options: GridCarbonOptions = {}) {
    checkCarbonSetting(setting);
    checkEmbodied(setting);
    this.setting = setting;
    this.env = options.env ?? process.env;
    this.warn = options.warn ?? ((m) => console.warn(`wattlab: ${m}`));
    this.now = options.now ?? Date.now;
  }

  get zone(): string {
    return this.setting.zone ?? DEFAULT_ZONE;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }

  /** The intensity for a run starting now. */
  async intensity(): Promise<RunIntensity> {
    const pue = this.setting.pue ?? 1;
    const zone = this.zone;
    if (this.setting.intensityGPerKwh !== undefined) {
      return { intensityGPerKwh: this.setting.intensityGPerKwh, kind: "fixed", zone: this.setting.zone ?? null, year: null, datetime: null, pue, fallback: null };
    }
    const cached = this.cache.get(zone);
    const cacheMs = (this.setting.cacheS ?? DEFAULT_CARBON_CACHE_S) * 1000;
    if (cached && this.now() - cached.atMs < cacheMs) return cached.value;
    const token = this.env.ELECTRICITYMAPS_API_TOKEN;
    let fallback: string | null = null;
    if (this.setting.source !== "yearly") {
      if (token) {
        try {
          const live = await latestIntensity(zone, token, { electricityMapsUrl: this.setting.electricityMapsUrl, fetchTimeoutMs: this.setting.fetchTimeoutMs });
          const value: RunIntensity = { intensityGPerKwh: live.intensityGPerKwh, kind: "electricitymaps", zone, year: null, datetime: live.datetime ?? new Date(this.now()).toISOString(), pue, fallback: null };
          this.cache.set(zone, { atMs: this.now(), value });
          return value;
        } catch (error) {
          // only the zone and the failure: never the token
          const why = error instanceof Error ? (error.name === "TimeoutError" ? "timed out" : error.message) : "failed";
          fallback = `Electricity Maps lookup failed (${why})`;
          this.warnOnce(`live:${zone}`, `Electricity Maps lookup for zone "${zone}" failed (${why}); using the offline yearly average from @tgwf/co2, labelled so in each row (retried every ${cacheMs / 1000} s)`);
        }
      } else if (this.setting.source === "live") {
        fallback = "no ELECTRICITYMAPS_API_TOKEN";
        this.warnOnce(`token:${zone}`, `live carbon intensity asked for but ELECTRICITYMAPS_API_TOKEN is not set; using the offline yearly average for "${zone}" (set the token, or --carbon-source yearly)`);
      }
    }
    const value = this.yearly(zone, pue, fallback);
    this.cache.set(zone, { atMs: this.now(), value });
    return value;
  }

  private yearly(zone: string, pue: number, fallback: string | null): RunIntensity {
    const yearly = yearlyIntensity(zone);
    if (yearly) return { intensityGPerKwh: yearly.intensityGPerKwh, kind: "tgwf-co2-yearly", zone: yearly.zone, year: yearly.year, datetime: null, pue, fallback };
    this.warnOnce(`zone:${zone}`, `no yearly grid intensity for zone "${zone}" in @tgwf/co2; using the WORLD average, labelled so in each row (use an Electricity Maps zone like FR or US-CAL-CISO, or an ISO alpha-3 country like FRA)`);
    const why = `zone "${zone}" unknown to @tgwf/co2`;
    return { intensityGPerKwh: worldIntensityGPerKwh(), kind: "tgwf-co2-yearly", zone: DEFAULT_ZONE, year: null, datetime: null, pue, fallback: fallback ? `${fallback}; ${why}` : why };
  }

  /** Carbon of a run: the intensity resolved now, applied to the run's energy (and its seconds, for embodied). */
  async forRun(): Promise<(energyJ: number, seconds?: number) => CarbonFigure> {
    const i = await this.intensity();
    return (energyJ, seconds) => carbonFigure(i, energyJ, seconds === undefined ? null : embodiedCarbon(this.setting, seconds));
  }
}

/** A row's carbon figure from an intensity: gCO2eq = kWh × intensity × PUE. */
export function carbonFigure(i: RunIntensity, energyJ: number, embodied: { gco2eq: number; source: string } | null = null): CarbonFigure {
  return {
    gco2eq: (energyJ / JOULES_PER_KWH) * i.intensityGPerKwh * i.pue,
    intensityGPerKwh: i.intensityGPerKwh,
    source: describeIntensity(i),
    zone: i.zone, year: i.year, datetime: i.datetime, pue: i.pue,
    embodied,
  };
}

type Row = Record<string, string | number | boolean | null>;

/**
 * A stored row charged under this setting instead of the one it was stored with (a notebook rerun with another zone
 * reuses the measurement, not its carbon). Only for yearly and fixed intensities, which do not depend on when the run
 * happened: a live figure belongs to its hour, so live rows and a live setting leave rows as stored. The stored file
 * is not touched; carbon_source says the row was charged when read.
 */
export function chargeRow<R extends Row>(row: R, i: RunIntensity, setting: CarbonSetting): R {
  if (row.state !== "completed" || i.kind === "electricitymaps" || typeof row.carbon_source !== "string" || row.carbon_source.startsWith("electricitymaps")) return row;
  const source = describeIntensity(i);
  const stored = row.carbon_source.replace(/ \(charged when read; stored: .*\)$/, "");
  const energy = row.energy_total_j_measured ?? row.energy_total_j_estimated;
  const seconds = row.energy_window_s;
  const embodied = typeof seconds === "number" ? embodiedCarbon(setting, seconds) : null;
  const sameGrid = stored === source;
  const sameEmbodied = (embodied?.source ?? null) === (row.embodied_source ?? null);
  if ((sameGrid && sameEmbodied) || typeof energy !== "number") return row;
  const out: Row = { ...row };
  if (!sameGrid) {
    const figure = carbonFigure(i, energy);
    const column = typeof row.energy_total_j_measured === "number" ? "gco2eq_measured" : "gco2eq_estimated";
    out[column] = figure.gco2eq;
    out.carbon_intensity_g_per_kwh = figure.intensityGPerKwh;
    out.carbon_zone = figure.zone ?? null;
    out.carbon_year = figure.year ?? null;
    out.carbon_datetime = null;
    out.pue = figure.pue ?? null;
    out.carbon_source = `${source} (charged when read; stored: ${stored})`;
  }
  out.gco2eq_embodied_estimated = embodied?.gco2eq ?? null;
  out.embodied_source = embodied?.source ?? null;
  return out as R;
}
