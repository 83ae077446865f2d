// The main job (`npm start`): build the tiny default model, execute every notebook headless on the CPU,
// and print what was measured. Needs only Node and npm: no Python, no GPU, no network.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { ensureModel } from "../../models/build.js";
import { defaultModelsDir } from "../../lab/models.js";
import { loadResults } from "../../analysis/results.js";
import { QUANTITIES, rowQuantity, type QuantityName } from "../../quantities.js";
import { aggregate, formatInterval, METHOD_TEXT } from "../../util/stats.js";
import { runNotebook } from "../../notebook/index.js";
import { readNotebook } from "../../notebook/nbformat.js";
import { declaredParameters } from "../../notebook/parameters.js";
import type { RunRecord } from "../../sweep/record.js";
import { packageRoot } from "../../version.js";
import { servingLines } from "./main-serving.js";
import { get, UsageError, type CommandSpec } from "../args.js";
import { CARBON_OPTIONS, carbonEnv, effectiveCarbon } from "../carbon-options.js";
import { chargeRow, describeSetting, GridCarbon, isLive } from "../../sweep/carbon.js";

export const mainCommand: CommandSpec = {
  name: "main",
  summary: "the main job: build the tiny model, run every notebook headless, print a summary",
  usage: "wattlab main [--notebooks 00,03,…] [--timeout S] [--reps N]",
  options: [
    { name: "notebooks", kind: "list", help: "notebook name prefixes to run (default: every notebooks/*.ipynb)" },
    { name: "timeout", kind: "number", above: 0, help: "per-cell limit. Units: s", default: 300 },
    { name: "reps", kind: "number", whole: true, min: 1, help: "repetitions per configuration", default: 3 },
    ...CARBON_OPTIONS,
  ],
  async run(parsed) {
    const root = packageRoot();
    const started = performance.now();
    // which notebooks, checked before anything is built: a name that matches none is an error, not an empty run
    const notebookDir = join(root, "notebooks");
    const wanted = get.list(parsed, "notebooks");
    const available = readdirSync(notebookDir).filter((f) => f.endsWith(".ipynb")).sort();
    const unknown = wanted.filter((w) => !available.some((f) => f.startsWith(w)));
    if (unknown.length > 0) {
      throw new UsageError(`wattlab main: --notebooks ${unknown.join(", ")} matches no notebook; the notebooks are ${available.map((f) => f.replace(/\.ipynb$/, "")).join(", ")} (give a name or its number prefix, e.g. 03)`);
    }
    // one carbon setting for every notebook: the flags become the environment the notebooks' kernels inherit
    const carbon = effectiveCarbon(parsed, "main");
    Object.assign(process.env, carbonEnv(carbon));
    const manifest = await ensureModel(defaultModelsDir(), "tiny", "fp32");
    console.log(`model: ${relative(root, manifest.dir)} (${manifest.weightForm}, ${(manifest.parameterCount / 1e3).toFixed(0)}K parameters, built ${manifest.createdAt})`);

    // The study's datasets where a copy exists; otherwise the notebooks measure their synthetic look-alikes
    // (each row records dataset_used) and the summary says so once.
    const sweepParameters: Record<string, unknown> = { repetitions: get.number(parsed, "reps"), ...(carbon.zone ? { gridZone: carbon.zone } : {}) };
    const notebooks = available.filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
    const outDir = join(root, "results", "notebooks");
    let failed = 0;
    for (const file of notebooks) {
      // 00 and 08 measure one generation (no sweep parameters)
      const offered = file.startsWith("00-") || file.startsWith("08-") ? {} : sweepParameters;
      // only what the notebook declares: 09 reads stored GPU results and takes no sweep settings
      const parameters = declaredParameters(readNotebook(join(notebookDir, file)), offered);
      const r = await runNotebook(join(notebookDir, file), { parameters, timeoutS: get.number(parsed, "timeout"), outDir });
      if (r.ok) console.log(`ok    ${file} (${r.seconds.toFixed(1)} s) → ${relative(root, r.outputPath)}`);
      else {
        failed++;
        console.error(`FAIL  ${file}: cell ${r.failedCell!.index} raised ${r.failedCell!.ename}: ${r.failedCell!.evalue} → ${relative(root, r.outputPath)}`);
      }
    }

    const stored = loadResults(join(root, "results", "metrics.jsonl"));
    // rows reused from earlier runs are charged at this setting too, as the notebooks show them (yearly or fixed only)
    const intensity = isLive(carbon) ? null : await new GridCarbon(carbon, { warn: () => {} }).intensity();
    const rows = intensity ? stored.map((r) => chargeRow(r, intensity, carbon)) : stored;
    printSummary(rows);
    console.log(`carbon: ${describeSetting(carbon)}${carbonSources(rows)}`);
    for (const line of fallbackLines(rows)) console.log(line);
    for (const line of servingLines(join(root, "results", "serving", "serving.jsonl"))) console.log(line);
    console.log(`\nresults: results/metrics.csv (${rows.length} runs), results/serving/serving.csv, results/notebooks/, results/figures/ — ${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (failed) process.exitCode = 1;
  },
};

function printSummary(rows: RunRecord[]): void {
  const groups = new Map<string, RunRecord[]>();
  for (const r of rows) {
    const key = `${r.model} ${r.engine}/${r.device} ${r.quantization} ${datasetLabel(r)} in=${r.input_length} out=${r.output_length} b=${r.batch_size}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  // one definition per quantity (src/quantities.ts), one statistic: the mean with its 95% t-interval (src/util/stats.ts)
  const stat = (rs: RunRecord[], name: QuantityName, digits: number) => {
    const figures = rs.map((r) => rowQuantity(r, name));
    const a = aggregate(figures.filter((f) => !f.belowResolution).map((f) => f.value));
    const flagged = figures.filter((f) => f.belowResolution).length;
    // these quantities cannot be negative: a t-interval of a few noisy repetitions that reaches below 0 is cut at 0
    const ci = { low: Math.max(0, a.ci.low), high: a.ci.high };
    return (a.n ? formatInterval(a.mean, ci, digits) : "–") + (flagged ? ` (${flagged} below resolution)` : "");
  };
  const table = [...groups.entries()].map(([config, rs]) => ({
    config,
    n: String(rs.length),
    tokensPerS: stat(rs, "tokens_per_s", 4),
    joules: stat(rs, "energy_j", 3),
    jPerToken: stat(rs, "j_per_output_token", 3),
    gco2eq: gco2eqOf(rs),
    source: String(rs[0].energy_source) + (rowQuantity(rs[0], "energy_j").estimated ? " (ESTIMATED)" : ""),
  }));
  const head = { config: "config", n: "n", tokensPerS: "tokens/s [95% CI]", joules: "energy J/generation [95% CI]", jPerToken: "J/out token [95% CI]", gco2eq: "gCO2eq/generation", source: "energy source" };
  const cols = Object.keys(head) as (keyof typeof head)[];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...table.map((t) => t[c].length))]));
  const left = new Set(["config", "source"]);
  console.log("\n" + [head, ...table].map((t) => cols.map((c) => (left.has(c) ? t[c].padEnd(width[c]) : t[c].padStart(width[c]))).join("  ")).join("\n"));
  console.log(`means over repetitions with ${METHOD_TEXT.t}s (a lower bound below 0 is shown as 0); J/out token = ${QUANTITIES.j_per_output_token.meaning}`);
}

/** Mean gCO2eq per generation of the rows, with the zone(s) it was charged at (rows from before zones were stored show "?"). */
function gco2eqOf(rs: RunRecord[]): string {
  const values = rs.map((r) => r.gco2eq_measured ?? r.gco2eq_estimated).filter((v): v is number => typeof v === "number");
  if (!values.length) return "–";
  const zones = [...new Set(rs.map((r) => r.carbon_zone ?? "?"))].join("+");
  return `${(values.reduce((a, b) => a + b, 0) / values.length).toPrecision(3)} (${zones})`;
}

/** The intensities the stored rows were charged at, when they differ from one another (older rows, other zones). */
function carbonSources(rows: RunRecord[]): string {
  const sources = [...new Set(rows.map((r) => r.carbon_source).filter((s): s is string => typeof s === "string"))];
  return sources.length > 1 ? `; the stored rows were charged at ${sources.length} intensities (column carbon_source)` : sources.length === 1 ? `; rows: ${sources[0]}` : "";
}

/** "alpaca" or, where its look-alike ran, "alpaca→synthetic-instruct". */
function datasetLabel(r: RunRecord): string {
  return r.dataset_used && r.dataset_used !== r.dataset ? `${r.dataset}→${r.dataset_used}` : String(r.dataset);
}

/** One line per dataset that was replaced by its look-alike, with the reason and the fix. */
export function fallbackLines(rows: RunRecord[]): string[] {
  const seen = new Map<string, RunRecord>();
  for (const r of rows) if (r.dataset_used && r.dataset_used !== r.dataset && !seen.has(String(r.dataset))) seen.set(String(r.dataset), r);
  return [...seen.values()].map((r) =>
    `datasets: ${r.dataset} was not available, so its rows measured the synthetic look-alike ${r.dataset_used} (column dataset_used). ${String(r.dataset_note ?? "").replace(/^.*?Fix: /, "To measure the real one: ").replace(/ \(looked at: .*\)$/, "")}`);
}
