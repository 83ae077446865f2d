// Types for the two untyped packages the meter uses (no @types packages are installed for them).

declare module "node-nvidia-smi" {
  /** Runs `nvidia-smi -q -x` and hands back the XML parsed by xml2js (explicitArray: false, trim: true). */
  function nvidiaSmi(callback: (error: unknown, data?: unknown) => void): void;
  export default nvidiaSmi;
}

declare module "@tgwf/co2/data" {
  /** Ember's yearly average grid intensity by ISO alpha-3 country or region (e.g. "FRA", "WORLD"). Units: gCO2eq/kWh. */
  export const averageIntensity: { data: Record<string, number>; type: string };
  interface ElectricityMapsYear {
    data: Record<string, { zone?: { zoneName?: string; countryName?: string }; carbonIntensity: { value: number; unit: string } }>;
    methodology: string;
  }
  /** Electricity Maps yearly averages by zone, keyed `yearly2021` … */
  export const electricityMaps: Record<string, ElectricityMapsYear>;
}
