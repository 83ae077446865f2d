// wattlab sweep: flags → spec → runSweep with the real engine, meter and model store.
import { labSweepDeps } from "../../lab/deps.js";
import { firstCpuFp32Problem, firstModelProblem, saidYes } from "../../lab/models.js";
import { webgpuWorkersProblem } from "../../sweep/gpus.js";
import { formatPreview, previewSweep } from "../../sweep/preview.js";
import { defaultContextLength, expandConfigs, runSweep, runSweepOnGpus } from "../../sweep/index.js";
import { effectiveRows, readResults } from "../../sweep/store.js";
import type { Cell } from "../../sweep/record.js";
import { gpusFromArgs, runOptionsFromArgs, specFromArgs, SWEEP_OPTIONS } from "../sweep-options.js";
import { get, UsageError, type CommandSpec, type ParsedArgs } from "../args.js";
import { binCommand } from "./bin.js";
import { CARBON_OPTIONS, carbonArgs, carbonFromArgs } from "../carbon-options.js";
import type { SweepSummary } from "../../sweep/run.js";
import { labServingDeps } from "../../lab/serving.js";
import { runServingSweep } from "../../sweep/serving/index.js";
import { isServingSweep, servingSpecFromArgs, SERVING_OPTIONS } from "../serving-options.js";

export const sweepCommand: CommandSpec = {
  name: "sweep",
  summary: "run a sweep (one-at-a-time or grid) and append rows to the results store",
  usage: "wattlab sweep [--spec FILE | --preset NAME] [--batch-size 1,2,4 …] [--reps N] [--out DIR] [--shard i/n | --gpus 0,1]",
  options: [...SWEEP_OPTIONS, ...SERVING_OPTIONS, ...CARBON_OPTIONS],
  async run(parsed) {
    if (isServingSweep(parsed)) {
      if (get.boolean(parsed, "plan")) throw new UsageError("wattlab sweep: --plan shows a model sweep's plan; --engine openai measures load levels (leave --plan out)");
      return servingSweepFromArgs(parsed);
    }
    const spec = specFromArgs(parsed, { contextLength: defaultContextLength });
    const options = { ...runOptionsFromArgs(parsed, spec), carbon: carbonFromArgs(parsed, "sweep") };
    const modelProblem = firstModelProblem(expandConfigs(spec));
    if (modelProblem) throw new UsageError(`wattlab sweep: ${modelProblem}`);
    if (get.boolean(parsed, "plan")) {
      const preview = await previewSweep(spec, labSweepDeps(), options);
      for (const line of formatPreview(preview)) console.log(line);
      console.log("nothing was loaded, measured or written (--plan)");
      return;
    }
    const gpus = gpusFromArgs(parsed);
    const yes = saidYes({ yes: get.boolean(parsed, "yes") });
    const problem = yes ? null : firstCpuFp32Problem(expandConfigs(spec));
    if (problem) throw new UsageError(`wattlab sweep: ${problem}`);
    if (gpus.length > 0) {
      const webgpu = webgpuWorkersProblem(spec);
      if (webgpu) throw new UsageError(`wattlab sweep: ${webgpu}`);
      const extraArgs = [
        ...(options.force ? ["--force"] : []), ...(options.skipFailed ? ["--skip-failed"] : []), ...(yes ? ["--yes"] : []),
        "--idle-seconds", String(options.idleSeconds ?? 5), "--no-progress", ...carbonArgs(options.carbon),
      ];
      const result = await runSweepOnGpus(spec, gpus, { command: binCommand(), outDir: options.outDir, extraArgs });
      console.log(`merged ${result.merge.rows} rows (${result.merge.completed} completed, ${result.merge.failed} failed) → ${result.csvPath}`);
      const carbon = mergedCarbonLine(result.merge.out, spec.name);
      if (carbon) console.log(carbon);
      if (result.failed.length) {
        console.error(`workers that failed: ${result.failed.map((w) => `gpu ${w.gpu} (exit ${w.code ?? w.signal})`).join(", ")}; rerun the same command to finish`);
        process.exitCode = 1;
      }
      return;
    }
    const summary = await runSweep(spec, labSweepDeps({ yes }), options);
    console.log(`${summary.completed} completed, ${summary.failed} failed, ${summary.skipped} already done → ${summary.csvPath}`);
    const carbon = carbonLine(summary);
    if (carbon) console.log(carbon);
    if (summary.failed > 0 || summary.aborted) process.exitCode = 1;
  },
};

/** `--engine openai`: load levels against a server, one row per level in OUT/serving.jsonl (src/sweep/serving). */
async function servingSweepFromArgs(parsed: ParsedArgs): Promise<void> {
  const spec = servingSpecFromArgs(parsed);
  const gpus = gpusFromArgs(parsed);
  const outDir = get.string(parsed, "out") ?? "results/serving";
  const say = parsed.options.progress === false ? () => {} : (m: string) => console.error(`wattlab sweep: ${m}`);
  const summary = await runServingSweep(spec, labServingDeps(gpus.length ? { gpus } : {}), {
    outDir, force: get.boolean(parsed, "force"), idleSeconds: get.number(parsed, "idle-seconds"), carbon: carbonFromArgs(parsed, "sweep"), say,
  });
  console.log(`${summary.completed} level${summary.completed === 1 ? "" : "s"} completed, ${summary.failed} failed, ${summary.skipped} already done → ${summary.csvPath} (requests: ${summary.requestsPath})`);
  if (summary.failed > 0) process.exitCode = 1;
}

/** The carbon line of a merged store (the workers each said theirs): the mean gCO2eq per generation of this sweep's completed rows. */
function mergedCarbonLine(mergedPath: string, sweep: string): string | null {
  // the store, not src/analysis: the CLI's sweep must load where the analysis dependencies (danfojs) are not installed
  const rows = effectiveRows(readResults(mergedPath).rows).filter((r) => r.state === "completed" && r.sweep === sweep);
  const charged = rows.map((r) => ({ g: r.gco2eq_measured ?? r.gco2eq_estimated, source: r.carbon_source })).filter((x): x is { g: number; source: Cell } => typeof x.g === "number");
  if (charged.length === 0) return null;
  const mean = charged.reduce((a, x) => a + x.g, 0) / charged.length;
  return `carbon: ${mean.toPrecision(3)} gCO2eq per generation (mean of ${charged.length} merged rows) at ${String(charged[charged.length - 1].source)}`;
}

/** The summary's carbon line: the setting, the last row's intensity and the mean gCO2eq per generation. */
export function carbonLine(summary: Pick<SweepSummary, "carbon">): string | null {
  const c = summary.carbon;
  if (!c) return null;
  if (c.gco2eqPerGeneration === null) return `carbon: ${c.setting} (no row measured energy this time)`;
  const embodied = c.embodiedGco2eqPerGeneration === null ? "" : `; embodied ${c.embodiedGco2eqPerGeneration.toPrecision(3)} gCO2eq (ESTIMATED, column gco2eq_embodied_estimated)`;
  return `carbon: ${c.gco2eqPerGeneration.toPrecision(3)} gCO2eq per generation (mean of ${c.rows} rows) at ${c.source}${embodied}`;
}
