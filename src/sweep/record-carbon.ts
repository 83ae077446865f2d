// A row's carbon: the fixed-intensity and meter-window figures a run is charged at, and the columns they fill
// (gco2eq pair, intensity, source, zone, year, hour, PUE, and the embodied share when asked for).
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import { averageIntensity } from "@tgwf/co2/data";
import { JOULES_PER_KWH } from "../meter/carbon.js";
import { setPair, type CarbonFigure, type RunRecord } from "./record.js";

/** World average grid intensity (Ember) as shipped in @tgwf/co2 (average-intensities, WORLD): read, not retyped. */
export const WORLD_INTENSITY_G_PER_KWH: number = averageIntensity.data.WORLD;

/** Carbon at a fixed grid intensity. Units: J in, gCO2eq out. */
export function fixedIntensityCarbon(intensityGPerKwh = WORLD_INTENSITY_G_PER_KWH, label = "WORLD average (Ember 2024 via @tgwf/co2)"): (energyJ: number) => CarbonFigure {
  return (energyJ) => ({
    gco2eq: (energyJ / JOULES_PER_KWH) * intensityGPerKwh,
    intensityGPerKwh,
    source: `fixed ${intensityGPerKwh} g/kWh, ${label}`,
  });
}

/** Carbon from the meter's windows when it computed it (grid intensity resolved by the meter), else the fallback. */
export function windowCarbon(prefill: WindowMeasurement, decode: WindowMeasurement, fallback: (energyJ: number, seconds?: number) => CarbonFigure): (energyJ: number, seconds?: number) => CarbonFigure {
  const a = prefill.carbon;
  const b = decode.carbon;
  if (!a || !b) return fallback;
  const where = [a.zone, a.year].filter((x) => x !== null).join(" ");
  // the meter's grid figure; the embodied share (which needs the run's seconds) still comes from the fallback
  return (energyJ, seconds) => ({
    embodied: seconds === undefined ? null : fallback(energyJ, seconds).embodied ?? null,
    gco2eq: a.gramsCo2eq + b.gramsCo2eq,
    intensityGPerKwh: a.intensityGPerKwh,
    source: `${a.source}${where ? " " + where : ""}, ${a.intensityGPerKwh} g/kWh × PUE ${a.pue}`,
    zone: a.zone, year: a.year, datetime: null, pue: a.pue,
  });
}

/** The carbon columns of a completed row: the figure for its total energy, measured or estimated as the total is. */
export function carbonColumns(row: RunRecord, carbon: CarbonFigure, total: FigureSource): void {
  setPair(row, "gco2eq", carbon.gco2eq, total);
  row.carbon_intensity_g_per_kwh = carbon.intensityGPerKwh;
  row.carbon_source = carbon.source;
  row.carbon_zone = carbon.zone ?? null;
  row.carbon_year = carbon.year ?? null;
  row.carbon_datetime = carbon.datetime ?? null;
  row.pue = carbon.pue ?? null;
  if (carbon.embodied) {
    row.gco2eq_embodied_estimated = carbon.embodied.gco2eq;
    row.embodied_source = carbon.embodied.source;
  }
}
