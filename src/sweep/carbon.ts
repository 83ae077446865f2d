// One carbon setting for every sweep row: the grid zone, the site's PUE and where the intensity comes from
// (Electricity Maps live when ELECTRICITYMAPS_API_TOKEN is set, @tgwf/co2's yearly averages offline, or a fixed
// value), set once by CLI flags, environment variables, a spec's `carbon` field or a notebook parameter.
// Precedence: flags / call options > environment > spec > defaults (zone WORLD, PUE 1).
//
// Live figures are taken per run and cached per zone for `cacheS` seconds; the row carries the hour the figure
// applies to. A failed lookup (HTTP error, timeout, unknown zone) is one warning and the yearly figure, labelled.
// The token is read from the environment only and never written to a row, a message or a file.
//
// Embodied carbon (off unless asked for): the hardware's manufacturing emissions spread over its service life at an
// assumed utilisation, charged by the run's seconds: g = kgCO2e × 1000 × seconds / (lifetime s × utilisation).
// wattlab ships no hardware figure (no published per-device figure is built in), so the user gives it.
import { averageIntensity } from "@tgwf/co2/data";
import { JOULES_PER_KWH, latestIntensity, yearlyIntensity } from "../meter/carbon.js";
import type { CarbonFigure } from "./record.js";

export const DEFAULT_ZONE = "WORLD";
/** How long a live figure is reused for the same zone. Units: s. */
export const DEFAULT_CARBON_CACHE_S = 900;
const SECONDS_PER_YEAR = 365.25 * 24 * 3600;

/** The world average as shipped in @tgwf/co2 (Ember): read from the package, not retyped. Units: gCO2eq/kWh. */
export function worldIntensityGPerKwh(): number {
  return averageIntensity.data[DEFAULT_ZONE];
}

export type CarbonSourceChoice = "live" | "yearly";

export interface CarbonSetting {
  /** Electricity Maps zone ("FR", "US-CAL-CISO") or ISO alpha-3 country ("FRA"), or "WORLD". */
  zone?: string;
  /** Power usage effectiveness of the site, ≥ 1. */
  pue?: number;
  /** A fixed grid intensity: used as given, no lookup. Units: gCO2eq/kWh. */
  intensityGPerKwh?: number;
  /** "live": Electricity Maps when a token is set (the default); "yearly": the offline yearly average always. */
  source?: CarbonSourceChoice;
  /** Reuse a live figure this long per zone. Units: s. Default 900. */
  cacheS?: number;
  /** Electricity Maps API base (default https://api.electricitymap.org/v3). */
  electricityMapsUrl?: string;
  /** Units: ms. Default 3000. */
  fetchTimeoutMs?: number;
  /** Manufacturing emissions of the hardware a run occupies. Units: kgCO2e. */
  embodiedKgCo2e?: number;
  /** Service life the embodied emissions are spread over. Units: years. */
  lifetimeYears?: number;
  /** Share of its life the hardware is busy (0–1]; default 1. */
  utilisation?: number;
}

/** The spec file's form: `"carbon": {"zone": "FR", "pue": 1.2, "intensity_g_per_kwh": 56}`. */
export interface CarbonSpecJson {
  zone?: string;
  pue?: number;
  intensity_g_per_kwh?: number;
  source?: CarbonSourceChoice;
  cache_s?: number;
  embodied_kgco2e?: number;
  lifetime_years?: number;
  utilisation?: number;
}

const JSON_FIELDS: Record<keyof CarbonSpecJson, keyof CarbonSetting> = {
  zone: "zone", pue: "pue", intensity_g_per_kwh: "intensityGPerKwh", source: "source", cache_s: "cacheS",
  embodied_kgco2e: "embodiedKgCo2e", lifetime_years: "lifetimeYears", utilisation: "utilisation",
};

/** The environment's form, one variable per field. */
export const CARBON_ENV: Record<string, keyof CarbonSetting> = {
  WATTLAB_GRID_ZONE: "zone", WATTLAB_PUE: "pue", WATTLAB_CARBON_INTENSITY: "intensityGPerKwh", WATTLAB_CARBON_SOURCE: "source",
  WATTLAB_CARBON_CACHE_S: "cacheS", WATTLAB_ELECTRICITYMAPS_URL: "electricityMapsUrl",
  WATTLAB_EMBODIED_KGCO2E: "embodiedKgCo2e", WATTLAB_LIFETIME_YEARS: "lifetimeYears", WATTLAB_UTILISATION: "utilisation",
};

const TEXT_FIELDS = new Set<keyof CarbonSetting>(["zone", "source", "electricityMapsUrl"]);

export class CarbonSettingError extends Error {
  override name = "CarbonSettingError";
}

/** The setting the environment gives; a value that is not a number is one line naming the variable and the fix. */
export function carbonSettingFromEnv(env: Record<string, string | undefined> = process.env): CarbonSetting {
  const setting: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(CARBON_ENV)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    if (TEXT_FIELDS.has(field)) { setting[field] = raw; continue; }
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new CarbonSettingError(`${name}="${raw}" is not a number: set e.g. ${name}=${exampleOf(field)} or unset it`);
    setting[field] = n;
  }
  return checkCarbonSetting(setting as CarbonSetting, (f) => envName(f));
}

/** The setting a spec's `carbon` object gives (snake_case); unknown fields and bad values are one line each. */
export function carbonSettingFromJson(json: unknown, where = "carbon"): CarbonSetting {
  if (json === undefined || json === null) return {};
  if (typeof json !== "object" || Array.isArray(json)) {
    throw new CarbonSettingError(`${where} must be an object: write e.g. "carbon": {"zone": "FR", "pue": 1.2}`);
  }
  const setting: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = JSON_FIELDS[key as keyof CarbonSpecJson];
    if (!field) throw new CarbonSettingError(`${where}.${key} is not a carbon field: use ${Object.keys(JSON_FIELDS).join(", ")}`);
    if (TEXT_FIELDS.has(field) ? typeof value !== "string" : typeof value !== "number") {
      throw new CarbonSettingError(`${where}.${key} must be a ${TEXT_FIELDS.has(field) ? "string" : "number"}, got ${JSON.stringify(value)}: write e.g. "${key}": ${JSON.stringify(exampleOf(field))}`);
    }
    setting[field] = value;
  }
  return checkCarbonSetting(setting as CarbonSetting, (f) => `${where}.${jsonName(f)}`);
}

/** Back to the spec's form (only the fields set). */
export function carbonSettingToJson(setting: CarbonSetting): CarbonSpecJson {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(JSON_FIELDS)) if (setting[field] !== undefined) out[key] = setting[field];
  return out as CarbonSpecJson;
}

/** Layers merged in order, later ones winning field by field (e.g. spec, env, flags). */
export function mergeCarbonSettings(...layers: (CarbonSetting | null | undefined)[]): CarbonSetting {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined && v !== "") out[k] = v;
  }
  return out as CarbonSetting;
}

function exampleOf(field: keyof CarbonSetting): string | number {
  return ({ zone: "FR", pue: 1.2, intensityGPerKwh: 56, source: "yearly", cacheS: 900, electricityMapsUrl: "https://api.electricitymap.org/v3",
    fetchTimeoutMs: 3000, embodiedKgCo2e: 150, lifetimeYears: 4, utilisation: 0.5 } as Record<string, string | number>)[field];
}
const envName = (f: keyof CarbonSetting) => Object.entries(CARBON_ENV).find(([, v]) => v === f)?.[0] ?? f;
const jsonName = (f: keyof CarbonSetting) => Object.entries(JSON_FIELDS).find(([, v]) => v === f)?.[0] ?? f;
/** Every way to set a field: the flag, the variable and the spec field. */
const everyName = (f: keyof CarbonSetting) => `--${flagName(f)} (${envName(f)}, carbon.${jsonName(f)})`;
export const flagName = (f: keyof CarbonSetting) => Object.entries(CARBON_FLAGS).find(([, v]) => v === f)?.[0] ?? f;

/** Ranges every layer must respect; `name` words the field as the user wrote it (flag, variable or spec field). */
export function checkCarbonSetting(s: CarbonSetting, name: (field: keyof CarbonSetting) => string = flagName): CarbonSetting {
  const bad = (field: keyof CarbonSetting, rule: string) => {
    throw new CarbonSettingError(`${name(field)} = ${s[field]} ${rule}: set e.g. ${exampleOf(field)}`);
  };
  if (s.zone !== undefined && !/^[A-Za-z0-9_-]+$/.test(s.zone)) bad("zone", "is not a zone code");
  if (s.pue !== undefined && !(s.pue >= 1)) bad("pue", "must be ≥ 1 (facility energy / IT energy)");
  if (s.intensityGPerKwh !== undefined && !(s.intensityGPerKwh >= 0)) bad("intensityGPerKwh", "must be ≥ 0 gCO2eq/kWh");
  if (s.source !== undefined && s.source !== "live" && s.source !== "yearly") bad("source", 'must be "live" or "yearly"');
  if (s.cacheS !== undefined && !(s.cacheS >= 0)) bad("cacheS", "must be ≥ 0 seconds");
  if (s.embodiedKgCo2e !== undefined && !(s.embodiedKgCo2e > 0)) bad("embodiedKgCo2e", "must be > 0 kgCO2e");
  if (s.lifetimeYears !== undefined && !(s.lifetimeYears > 0)) bad("lifetimeYears", "must be > 0 years");
  if (s.utilisation !== undefined && !(s.utilisation > 0 && s.utilisation <= 1)) bad("utilisation", "must be in (0, 1]");
  return s;
}

/** Checks the merged setting as a whole: embodied carbon needs both the figure and the lifetime. */
export function checkEmbodied(s: CarbonSetting): void {
  if (s.embodiedKgCo2e !== undefined && s.lifetimeYears === undefined) {
    throw new CarbonSettingError(`embodied carbon needs the hardware's service life: give ${everyName("lifetimeYears")}, e.g. 4, with the embodied figure`);
  }
  if (s.embodiedKgCo2e === undefined && (s.lifetimeYears !== undefined || s.utilisation !== undefined)) {
    throw new CarbonSettingError(`a lifetime or utilisation needs the embodied figure too: give ${everyName("embodiedKgCo2e")}, the hardware's manufacturing emissions from its maker's life-cycle assessment`);
  }
}

/** CLI flags (sweep, generate, main, meter), each the same field as above. */
export const CARBON_FLAGS: Record<string, keyof CarbonSetting> = {
  "zone": "zone", "pue": "pue", "carbon-intensity": "intensityGPerKwh", "carbon-source": "source", "carbon-cache-s": "cacheS",
  "embodied-kgco2e": "embodiedKgCo2e", "lifetime-years": "lifetimeYears", "utilisation": "utilisation",
};

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

/** The setting in one line for a summary: zone, source, PUE (and embodied when set). */
export function describeSetting(s: CarbonSetting, env: Record<string, string | undefined> = process.env): string {
  const source = s.intensityGPerKwh !== undefined ? `fixed ${s.intensityGPerKwh} g/kWh`
    : s.source !== "yearly" && env.ELECTRICITYMAPS_API_TOKEN ? "Electricity Maps live" : "yearly average (@tgwf/co2)";
  const embodied = s.embodiedKgCo2e !== undefined ? `, embodied ${s.embodiedKgCo2e} kgCO2e over ${s.lifetimeYears} years at ${(s.utilisation ?? 1) * 100}% use` : "";
  return `zone ${s.zone ?? DEFAULT_ZONE}, ${source}, PUE ${s.pue ?? 1}${embodied}`;
}

type Row = Record<string, string | number | boolean | null>;

/** Whether this setting asks Electricity Maps (a token is set, no fixed value, source not "yearly"). */
export function isLive(setting: CarbonSetting, env: Record<string, string | undefined> = process.env): boolean {
  return setting.intensityGPerKwh === undefined && setting.source !== "yearly" && Boolean(env.ELECTRICITYMAPS_API_TOKEN);
}

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
