// `npm run bench`: speed and memory goals checked as ratios against a baseline measured in the same run
// (never as timed unit tests). Engine overhead vs bare session.run (goal < 5 %), meter overhead vs no meter
// (goal < 1 %), model build peak RSS vs model bytes (bounded), fused vs portable decode step. Repeats are
// A/B alternated; each row gives the median ratio and the spread over repeats, and says when the spread
// exceeds the effect (common on a shared 2-core machine: then the run cannot decide the goal).
//   node dist/bench/run.js [--quick] [--json FILE] [--only engine,meter,build,graph]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { defaultModelsDir } from "../src/lab/models.js";
import { ensureModel } from "../src/models/build.js";
import { percentile } from "../src/util/stats.js";
import { sharedPath } from "../test/support/shared.js";
import { LLAMA_1GB_CONFIG, LLAMA_75MB_CONFIG, measureBuilds, type BuildCase } from "./build-model.js";
import { benchEngineOverhead } from "./engine-overhead.js";
import { benchGraphForms } from "./graph-forms.js";
import { benchLlamaCppOverhead, benchVocabularyHostShare, buildVocabularyPair } from "./llamacpp-overhead.js";
import { benchMeterOverhead } from "./meter-overhead.js";
import { pairedRatios, summarizeRatios } from "./ratios.js";
import { formatTable, ratioRow, skippedRow, type BenchRow } from "./report.js";
import { BENCH_USAGE, parseBenchArgs, type BenchSection } from "./run-args.js";

type Details = Record<string, unknown>;

const MB = 2 ** 20;
const ms = (seconds: number) => `${(seconds * 1e3).toFixed(seconds < 0.01 ? 3 : 1)} ms`;
const num = (record: Record<string, number | string>, key: string) => Number(record[key]);

/** Engine vs bare session.run per decode step, on the third-party fixture and on a built model. */
async function engineSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");
  const models: { name: string; dir: () => Promise<string>; options: Parameters<typeof benchEngineOverhead>[1] }[] = [];
  if (fixture.skip) rows.push(skippedRow("engine overhead", "tiny-random-llama-fp16", "skipped", fixture.skip));
  // many short A/B pairs: a burst of load from elsewhere then spoils one pair, not the median
  else models.push({ name: "tiny-random-llama-fp16", dir: async () => fixture.path, options: { repeats: quick ? 6 : 20, newTokens: 32 } });
  const preset = quick ? "tiny" : "llama-100m";
  models.push({
    name: `${preset} fp32`, dir: async () => (await ensureModel(defaultModelsDir(), preset, "fp32")).dir,
    options: quick ? { repeats: 6, newTokens: 32 } : { repeats: 16, newTokens: 16, promptTokens: 16 },
  });
  for (const m of models) {
    let r: Record<string, number | string>;
    let dir: string;
    try {
      dir = await m.dir();
      r = await benchEngineOverhead(dir, { device: "cpu", ...m.options });
    } catch (error) {
      rows.push(errorRow("engine overhead", `${m.name} cpu`, error, details));
      continue;
    }
    details[`engine:${m.name}`] = r;
    rows.push(ratioRow({
      bench: "engine overhead", case: `${m.name} cpu`,
      baseline: `bare session.run ${ms(num(r, "bareStepMedianS"))}/step`, measured: `engine ${ms(num(r, "engineStepMedianS"))}/step`,
      spread: { median: num(r, "overheadRatio"), min: num(r, "overheadRatioMin"), max: num(r, "overheadRatioMax"), count: num(r, "repeats") },
      goalRatio: 1.05,
      note: `${basename(dir)}: ${num(r, "engineDecodeTokensPerS").toFixed(1)} tokens/s decode through the engine ` +
        `(${num(r, "engineEndToEndTokensPerS").toFixed(1)} end to end with a ${r.promptTokens}-token prefill), ` +
        `${((num(r, "overheadPerStepS")) * 1e3).toFixed(3)} ms/step added`,
    }));
  }
  return rows;
}

/** llama.cpp: LlamaCppEngine's decode step vs a bare controlledEvaluate loop, on stories260K (CPU); the vocabulary's host share. */
async function llamacppSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  return [...await stepSection(quick, details), ...await vocabularySection(quick, details)];
}

/**
 * node-llama-cpp's host share of a step at DeepSeek-R1-Distill-Qwen-7B's 152,064-token vocabulary against a 512-token
 * one: two seeded GGUFs of the same tiny Qwen2 shape (2 layers, hidden 64), built here, so it needs no fixture.
 */
async function vocabularySection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-bench-vocab-"));
  try {
    const { small, large } = await buildVocabularyPair(dir);
    const r = await benchVocabularyHostShare(small, large, quick ? { repeats: 4, newTokens: 32 } : { repeats: 10, newTokens: 64 });
    details["llamacpp:vocabulary"] = r;
    const med = (xs: number[]) => percentile(xs, 50);
    return [ratioRow({
      bench: "llama.cpp step", case: `host share, ${r.largeVocab} vs ${r.smallVocab} tokens (cpu)`,
      baseline: `${r.smallVocab}-token vocabulary ${ms(med(r.small.hostS))}/step`, measured: `${r.largeVocab} tokens ${ms(med(r.large.hostS))}/step`,
      spread: pairedRatios(r.large.hostS, r.small.hostS),
      note: `node-llama-cpp's host share of a one-token step (the bare controlledEvaluate step less llama.cpp's own llama_decode ` +
        `time), one sequence, two tiny Qwen2 models that differ only in their vocabulary: ${ms(med(r.large.hostS) - med(r.small.hostS))} more ` +
        `per step at ${r.largeVocab} tokens (greedy sampling over the vocabulary, the logits read back), paid on the CPU whatever ` +
        `device computes the step; llama_decode itself ${ms(med(r.small.decodeS))} → ${ms(med(r.large.decodeS))} here (the CPU computes the output layer)`,
    })];
  } catch (error) {
    return [errorRow("llama.cpp step", "host share by vocabulary", error, details)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stepSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const gguf = sharedPath("fixtures/gguf/stories260K.gguf");
  if (gguf.skip) return [skippedRow("llama.cpp step", "stories260K", "skipped", gguf.skip)];
  let r: Record<string, number | string>;
  try {
    r = await benchLlamaCppOverhead(gguf.path, quick ? { repeats: 4, newTokens: 32 } : { repeats: 12, newTokens: 64 });
  } catch (error) {
    return [errorRow("llama.cpp step", "stories260K cpu", error, details)];
  }
  details["llamacpp:stories260K"] = r;
  return [ratioRow({
    bench: "llama.cpp step", case: "stories260K cpu",
    baseline: `bare controlledEvaluate ${ms(num(r, "bareStepMedianS"))}/step`, measured: `engine ${ms(num(r, "engineStepMedianS"))}/step`,
    spread: { median: num(r, "overheadRatio"), min: num(r, "overheadRatioMin"), max: num(r, "overheadRatioMax"), count: num(r, "repeats") },
    goalRatio: 1.05,
    note: `the bare step is node-llama-cpp's own per-token host cost (a 260K-parameter model computes in microseconds): ` +
      `an upper bound on the host share of a GPU decode step; of it, llama_decode takes ${ms(num(r, "llamaEvalStepS"))} ` +
      `(llama.cpp's own eval timing), node-llama-cpp the rest`,
  })];
}

/** A CPU-bound loop inside a meter window vs bare, sampling every 100 ms and every 10 ms. */
async function meterSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const r = await benchMeterOverhead(quick ? 4 : 15, quick ? 150 : 250, quick ? 1000 : 2000);
  details.meter = r;
  const rows: BenchRow[] = [];
  for (const [label, key, medianKey] of [["100 ms", "overhead100ms", "sample100MedianMs"], ["10 ms", "overhead10ms", "sample10MedianMs"]] as const) {
    const ratio = (suffix: string) => 1 + num(r, `${key}${suffix}`) / 100;
    rows.push(ratioRow({
      bench: "meter overhead", case: `sampling every ${label}`,
      baseline: `no meter ${num(r, "offMedianMs").toFixed(1)} ms`, measured: `metered ${num(r, medianKey).toFixed(1)} ms`,
      spread: { median: ratio("Pct"), min: ratio("MinPct"), max: ratio("MaxPct"), count: num(r, "rounds") },
      goalRatio: 1.01,
      note: label === "100 ms"
        ? `GPUs: ${r.nvml}; an empty begin+end takes ${r.emptyWindowMedianMs} ms`
        : `the sampler's own CPU use, process idle: ${num(r, "idleCpu100msPctOfCore").toFixed(1)} % of a core at 100 ms, ` +
          `${num(r, "idleCpu10msPctOfCore").toFixed(1)} % at 10 ms (no meter: ${num(r, "idleCpuOffPctOfCore").toFixed(1)} %); ` +
          "the loop slows only where no core is free for it",
    }));
  }
  return rows;
}

/** Peak RSS of a build child vs the bytes it wrote, at two sizes; the marginal ratio shows whether memory grows with the model. */
async function buildSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const cases: BuildCase[] = quick
    ? [{ name: "tiny", preset: "tiny", dtype: "fp32" }, { name: "llama-75mb", config: LLAMA_75MB_CONFIG, dtype: "fp32" }]
    : [{ name: "llama-75mb", config: LLAMA_75MB_CONFIG, dtype: "fp32" }, { name: "llama-1gb", config: LLAMA_1GB_CONFIG, dtype: "fp32" }];
  const builds = measureBuilds(cases);
  details.build = builds;
  // Node itself holds ~75 MB: only a model of about 1 GB can show the builder's own bound
  const judged = !quick;
  const rows: BenchRow[] = builds.map((b) => ratioRow({
    bench: "model build", case: `${b.name} ${b.dtype} (${(b.modelBytes / MB).toFixed(0)} MB)`,
    baseline: `model ${(b.modelBytes / MB).toFixed(0)} MB`, measured: `peak RSS ${(b.maxRssBytes / MB).toFixed(0)} MB`,
    spread: summarizeRatios([b.maxRssBytes / b.modelBytes]),
    goalRatio: judged && b === builds.at(-1) ? 1 : undefined,
    note: `${b.buildSeconds.toFixed(1)} s, ${(b.parameterCount / 1e6).toFixed(1)} M parameters, ` +
      `${(b.parameterCount / b.buildSeconds / 1e6).toFixed(1)} M parameters/s, in a child process`,
  }));
  const [small, big] = builds;
  const marginal = (big.maxRssBytes - small.maxRssBytes) / (big.modelBytes - small.modelBytes);
  rows.push(ratioRow({
    bench: "model build", case: `growth ${small.name} → ${big.name}`,
    baseline: `+${((big.modelBytes - small.modelBytes) / MB).toFixed(0)} MB model`,
    measured: `+${((big.maxRssBytes - small.maxRssBytes) / MB).toFixed(0)} MB peak RSS`,
    spread: summarizeRatios([marginal]), goalRatio: judged ? 0.25 : undefined,
    note: "extra peak memory per extra model byte: near 0 when weights stream to disk, near 1 when they are held" +
      (judged ? "" : " (--quick: models too small to judge)"),
  }));
  return rows;
}

/** Fused vs portable graph, decode step through a bare session, same weights. */
async function graphSection(quick: boolean, details: Details): Promise<BenchRow[]> {
  const preset = quick ? "tiny" : "llama-100m";
  const repeats = quick ? 3 : 6;
  const graphRows = await benchGraphForms({
    device: "cpu", presets: [preset], dtypes: ["fp32"], graphs: ["portable", "fused"], logits: ["last"],
    promptTokens: quick ? 32 : 64, decodeSteps: quick ? 10 : 16, repeats,
  });
  details.graphForms = graphRows;
  const portable = graphRows.find((r) => r.graph === "portable" && r.status === "ok");
  return graphRows.filter((r) => r !== portable).map((r) => {
    if (r.status !== "ok" || !portable) {
      process.exitCode = 1;
      return skippedRow("graph forms", `${preset} fp32 ${r.graph}`, "error", String(r.error ?? "the portable form failed"));
    }
    return ratioRow({
      bench: "graph forms", case: `${preset} fp32 ${r.graph} vs portable, cpu`,
      baseline: `portable ${num(portable, "decodeStepMs").toFixed(2)} ms/step`, measured: `${r.graph} ${num(r, "decodeStepMs").toFixed(2)} ms/step`,
      spread: { median: num(r, "decodeRatioVsPortable"), min: num(r, "decodeRatioVsPortableMin"), max: num(r, "decodeRatioVsPortableMax"), count: repeats },
      note: `prefill ${num(portable, "prefillMs").toFixed(1)} ms portable vs ${num(r, "prefillMs").toFixed(1)} ms ${r.graph} ` +
        `(${r.promptTokens} tokens); left-padded batch argmax agrees: ${r.raggedArgmaxAgrees ?? "-"}`,
    });
  });
}

/** A crash becomes a row (the other cases and sections still run), its stack kept in the JSON details, and the exit status 1. */
function errorRow(bench: string, caseName: string, error: unknown, details: Details): BenchRow {
  details[`error:${bench}:${caseName}`] = (error as Error).stack ?? String(error);
  process.exitCode = 1;
  return skippedRow(bench, caseName, "error", (error as Error).message.split("\n")[0]);
}

const SECTIONS: Record<BenchSection, { title: string; run: (quick: boolean, details: Details) => Promise<BenchRow[]> }> = {
  engine: { title: "engine overhead", run: engineSection },
  llamacpp: { title: "llama.cpp step", run: llamacppSection },
  meter: { title: "meter overhead", run: meterSection },
  build: { title: "model build", run: buildSection },
  graph: { title: "graph forms", run: graphSection },
};

async function main(): Promise<void> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(BENCH_USAGE);
    return;
  }
  const started = performance.now();
  const load = loadavg()[0];
  const machine = `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), load ${load.toFixed(2)}`;
  console.log(`wattlab bench${args.quick ? " --quick" : ""}: ${machine}`);
  if (load > cpus().length / 2) console.log(`  the machine is busy (load ${load.toFixed(1)} on ${cpus().length} cores): expect wide spreads`);
  const rows: BenchRow[] = [];
  const details: Details = {};
  for (const section of args.sections) {
    const { title, run } = SECTIONS[section];
    const sectionStarted = performance.now();
    console.log(`· ${title}…`);
    try {
      rows.push(...await run(args.quick, details));
    } catch (error) {
      rows.push(errorRow(title, "-", error, details));
    }
    console.log(`  ${title}: ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`);
  }
  console.log("");
  console.log(formatTable(rows));
  console.log(`\nratio = measured / baseline, median over A/B-alternated repeats; spread = min–max of the per-repeat ratios; ` +
    `goal "at median": the goal lies inside the spread; "spread > effect": the repeats disagree by more than ` +
    `|ratio − 1|, so this run cannot tell the effect from noise. ` +
    `Total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  if (args.jsonPath) {
    writeFileSync(args.jsonPath, JSON.stringify({
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(), quick: args.quick, machine, loadAverage1m: load,
      rows, details,
    }, null, 2) + "\n");
    console.log(`rows written to ${args.jsonPath}`);
  }
}

await main();
