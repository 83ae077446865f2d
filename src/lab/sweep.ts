// A notebook's run cell: run (or resume) a sweep into a results folder and hand back its rows.
// Completed runs already in the store are skipped, so re-running a cell re-measures nothing.
import { join } from "node:path";
import { BUILTIN_SPECS } from "../sweep/builtin-specs.js";
import type { RunRecord } from "../sweep/record.js";
import { runSweep, type SweepSummary } from "../sweep/run.js";
import { carbonSettingFromEnv, chargeRow, GridCarbon, isLive, mergeCarbonSettings, type CarbonSetting } from "../sweep/carbon.js";
import { defaultContextLength, expandConfigs, parseSpec, type SweepSpecJson } from "../sweep/spec.js";
import { labSweepDeps, type LabOptions } from "./deps.js";
import { firstCpuFp32Problem, saidYes } from "./models.js";
import { loadResults } from "../analysis/results.js";

export interface LabSweepOptions extends LabOptions {
  /** A spec: `{ extends: "tiny-batch", base: {...}, dimensions: {...}, repetitions }` (see SweepSpecJson). */
  spec: SweepSpecJson;
  /** The results folder (metrics.jsonl + metrics.csv land here). */
  outDir: string;
  force?: boolean;
  /** Idle baseline before the first run. Units: s. Default 2. */
  idleSeconds?: number;
  progress?: boolean;
  /** Grid zone, PUE, fixed intensity, embodied carbon; wins over WATTLAB_GRID_ZONE etc. and the spec's `carbon`. */
  carbon?: CarbonSetting;
  /** A notebook's `gridZone` parameter: shorthand for carbon.zone; "" or absent leaves $WATTLAB_GRID_ZONE (else WORLD). */
  gridZone?: string | null;
}

export async function sweep(options: LabSweepOptions): Promise<{ rows: RunRecord[]; summary: SweepSummary }> {
  // Notebooks run anywhere: a missing Alpaca/GSM8K file means its synthetic look-alike unless the spec says otherwise.
  const spec = parseSpec({ dataset_fallback: true, ...options.spec }, { contextLength: defaultContextLength, builtins: { ...BUILTIN_SPECS } });
  // a 7B fp32 model on the CPU is refused before anything runs, not recorded as a failed row per run
  const problem = saidYes(options) ? null : firstCpuFp32Problem(expandConfigs(spec));
  if (problem) throw new Error(problem);
  const carbon = mergeCarbonSettings(options.gridZone ? { zone: options.gridZone } : {}, options.carbon);
  const summary = await runSweep(spec, labSweepDeps(options), {
    outDir: options.outDir, force: options.force, idleSeconds: options.idleSeconds ?? 2, progress: options.progress ?? false,
    carbon,
  });
  // Only this spec's runs: a shared store also holds other notebooks' configurations and older protocols.
  const keys = new Set(summary.keys);
  const rows = loadResults(join(options.outDir, "metrics.jsonl")).filter((r) => keys.has(r.key));
  // rows measured earlier (reused, not re-measured) are charged at this call's zone and PUE where the intensity is
  // yearly or fixed; the same setting the runner used (quietly: it already said what there was to say)
  const setting = mergeCarbonSettings(spec.carbon, carbonSettingFromEnv(), carbon);
  if (isLive(setting)) return { rows, summary };
  const grid = new GridCarbon(setting, { warn: () => {} });
  const intensity = await grid.intensity();
  return { rows: rows.map((r) => chargeRow(r, intensity, setting)), summary };
}
