// The carbon setting: the grid zone, the site's PUE, where the intensity comes from and the embodied figure, as CLI
// flags, environment variables or a spec's `carbon` field give it; each layer checked on its own (one line per bad
// value, naming it as the user wrote it), merged in order (flags / call options > environment > spec > defaults).
// The intensities themselves are resolved in src/sweep/carbon.ts.

export const DEFAULT_ZONE = "WORLD";
/** How long a live figure is reused for the same zone. Units: s. */
export const DEFAULT_CARBON_CACHE_S = 900;

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

/** The setting in one line for a summary: zone, source, PUE (and embodied when set). */
export function describeSetting(s: CarbonSetting, env: Record<string, string | undefined> = process.env): string {
  const source = s.intensityGPerKwh !== undefined ? `fixed ${s.intensityGPerKwh} g/kWh`
    : s.source !== "yearly" && env.ELECTRICITYMAPS_API_TOKEN ? "Electricity Maps live" : "yearly average (@tgwf/co2)";
  const embodied = s.embodiedKgCo2e !== undefined ? `, embodied ${s.embodiedKgCo2e} kgCO2e over ${s.lifetimeYears} years at ${(s.utilisation ?? 1) * 100}% use` : "";
  return `zone ${s.zone ?? DEFAULT_ZONE}, ${source}, PUE ${s.pue ?? 1}${embodied}`;
}

/** Whether this setting asks Electricity Maps (a token is set, no fixed value, source not "yearly"). */
export function isLive(setting: CarbonSetting, env: Record<string, string | undefined> = process.env): boolean {
  return setting.intensityGPerKwh === undefined && setting.source !== "yearly" && Boolean(env.ELECTRICITYMAPS_API_TOKEN);
}
