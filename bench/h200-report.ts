// Writes REPORT.md and its figures for the 7B study on H200s from the stored results (no GPU needed):
//   npm run build && node dist/bench/h200-report.js [DIR]        (DIR: default results/h200-2026-11)
// Inputs, all under DIR: wattlab sweeps (*/metrics.jsonl), the Transformers baselines (hf-*.csv), the runs' logs
// (logs/), the two-GPU run (multi-gpu/), the WebGPU profiles (profile/) and the EP-settings runs (webgpu-settings/,
// webgpu-validation/). first-runs-one-gpu/ keeps the first runs with their own report. Where a later sweep measured
// a cell again, its rows replace the earlier sweep's (sweepRows).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadBaselineCsv } from "../src/analysis/baseline.js";
import { seedFindings, type Finding } from "../src/analysis/findings.js";
import { formatProfile, summarizeGeneration } from "../src/lab/profile.js";
import { exportPlot } from "../src/notebook/plot.js";
import type { RunRecord } from "../src/sweep/record.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";
import { packageRoot } from "../src/version.js";
import { QUANTITIES, rowQuantity } from "../src/quantities.js";
import { aggregate, formatInterval, METHOD_TEXT, ratioOfMeans, scaleInterval, verdict, type Interval, type RatioEstimate, type Verdict } from "../src/util/stats.js";

const dir = process.argv[2] ? resolve(process.argv[2]) : join(packageRoot(), "results", "h200-2026-11");
if (!existsSync(join(dir, "llamacpp-llama2", "metrics.jsonl"))) {
  console.error(`h200-report: ${dir} holds no 7B study results (no llamacpp-llama2/metrics.jsonl); name the folder, e.g. results/h200-2026-11`);
  process.exit(2);
}
/** An H200's device-to-device copy bandwidth (a copy benchmark on a one-GPU H200 host, 2026-10-28): the floor's denominator. */
const BANDWIDTH_B_PER_S = 4.3e12;
const STUDY_MODELS = ["llama-2-7b", "deepseek-r1-distill-qwen-7b"] as const;

interface Cell {
  engine: string; model: string; form: string; batch: number; input: number; output: number; dataset: string;
  /** Every repetition, in order. */
  tokensPerS: number[]; jPerToken: number[];
  /** The rows' model_weight_bytes (recorded by the later sweeps); null for the earlier rows. */
  weightBytes: number | null;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
/** The one statistic of every comparison (as notebook 09 and the README): the mean of the repetitions, its 95% t-interval. */
const mean = (xs: number[]) => aggregate(xs).mean;
const withCi = (xs: number[], d = 1) => { const a = aggregate(xs); return Number.isFinite(a.ci.low) ? `${fmt(a.mean, d)} [${fmt(a.ci.low, d)}, ${fmt(a.ci.high, d)}]` : `${fmt(a.mean, d)} [n < 2]`; };
const ratioText = (r: RatioEstimate) => formatInterval(r.ratio, r.ci, 3);
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const spread = (xs: number[], d = 1) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;
const short = (m: string) => m.replace("deepseek-r1-distill-qwen-7b", "ds-qwen-7b");
const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : "");

/** The shape of a run, without its repetition: the cell it belongs to. */
const cellKey = (r: RunRecord) => [r.engine, r.device, r.model, String(r.weight_form).split(" ")[0], r.batch_size, r.input_length, r.output_length, r.dataset].join("|");

/** Completed rows of the named sweeps; a later sweep's cells replace an earlier one's (a rerun, not more repetitions). */
function sweepRows(...subs: string[]): RunRecord[] {
  const byCell = new Map<string, RunRecord[]>();
  for (const sub of subs) {
    const file = join(dir, sub, "metrics.jsonl");
    if (!existsSync(file)) continue;
    const fresh = new Map<string, RunRecord[]>();
    for (const r of effectiveRows(readResults(file).rows).filter((row) => row.state === "completed")) fresh.set(cellKey(r), [...(fresh.get(cellKey(r)) ?? []), r]);
    for (const [key, rows] of fresh) byCell.set(key, rows);
  }
  return [...byCell.values()].flat();
}

/** The Transformers baseline's rows (src/analysis/baseline.ts); none where the file is absent. */
const baselineRows = (file: string): RunRecord[] => (existsSync(join(dir, file)) ? loadBaselineCsv(join(dir, file)) : []);

function cells(rows: RunRecord[]): Cell[] {
  const byKey = new Map<string, Cell>();
  for (const r of rows) {
    const form = String(r.weight_form).split(" ")[0];
    const key = cellKey(r);
    const c = byKey.get(key) ?? { engine: `${r.engine} (${r.device})`, model: String(r.model), form, batch: Number(r.batch_size), dataset: String(r.dataset),
      input: Number(r.input_length), output: Number(r.output_length), tokensPerS: [], jPerToken: [],
      weightBytes: typeof r.model_weight_bytes === "number" ? r.model_weight_bytes : null };
    c.tokensPerS.push(Number(r.throughput_tokens_per_s));
    // GPU joules only, from NVML's counter: the baseline reads the same counter, and no estimate enters (src/quantities.ts)
    c.jPerToken.push(rowQuantity(r, "j_per_output_token", "gpu").value ?? Number.NaN);
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

/** GGUF file sizes as the builds on the H200 host printed them (GGUF_LOGS): "<path>/<model>-<form>-….gguf: F16, 12.55 GiB in …". */
const GGUF_LOGS = ["logs/gpu0-llama2-vulkan-webgpu.txt", "logs/gpu1-deepseek-vulkan-transformers.txt"];
function ggufBytes(): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const log of GGUF_LOGS) {
    for (const m of read(log).matchAll(/\/([\w.-]+?)-(f16|q8_0|q4_0)-synthvocab\.gguf: (\w+), ([\d.]+) GiB/g)) {
      sizes.set(`${m[1]} ${m[3]}`, Number(m[4]) * 2 ** 30);
    }
  }
  return sizes;
}
const GGUF_BYTES = ggufBytes();
const GGUF_OF: Record<string, string> = { fp16: "F16", int8: "Q8_0", int4: "Q4_0", F16: "F16", Q8_0: "Q8_0", Q4_0: "Q4_0" };
/** Bytes a batch-1 decode step must read, and whether that is the cell's own file or the GGUF file of the same form. */
function floorBytes(c: Cell): { bytes: number; estimated: boolean } | null {
  if (c.weightBytes) return { bytes: c.weightBytes, estimated: false };
  const bytes = GGUF_BYTES.get(`${c.model} ${GGUF_OF[c.form] ?? ""}`);
  return bytes ? { bytes, estimated: !c.engine.startsWith("llama.cpp") } : null;
}

const vulkan = sweepRows("llamacpp-llama2", "llamacpp-deepseek");
const cuda = sweepRows("llamacpp-cuda-llama2", "llamacpp-cuda-deepseek");
const webgpu = sweepRows("webgpu-llama2", "webgpu-llama2-long", "webgpu-deepseek", "webgpu-llama2-quant", "webgpu-deepseek-full");
const baseline = [...baselineRows("hf-llama-2-7b.csv"), ...baselineRows("hf-deepseek-r1-distill-qwen-7b.csv")];
const wattlabCells = [...cells(cuda), ...cells(vulkan), ...cells(webgpu)];
const baselineCells = cells(baseline);
const baselineFor = (c: Cell) => baselineCells.find((b) => b.model === c.model && b.batch === c.batch && b.input === c.input && b.output === c.output);
const hardware = read("logs/info-and-two-gpu-check.txt").split("\n").filter((l) => /gpu\d: |nvidia-smi: |^CPU energy/.test(l)).map((l) => l.trim());

const out: string[] = [];
out.push(`# The seed study at 7B scale on NVIDIA H200 GPUs (November 2026)

Generated by \`node dist/bench/h200-report.js\` from the files in this folder; every figure below is computed from
them. The first runs, on a host with one H200 (16 vCPUs; wattlab's meter against pynvml within 0.5%), are kept in
\`first-runs-one-gpu/\` with their own report; the runs here measured those cells again with every shape warmed up.

Hardware (\`logs/info-and-two-gpu-check.txt\`, \`logs/info-cuda-profile-runs.txt\`): ${hardware.join("; ")}. One host
with two H200s and 32 vCPUs ran everything but the EP-settings runs (a host with one H200). Two jobs ran at a time,
one per GPU: each process saw only its own GPU (\`CUDA_VISIBLE_DEVICES\`, \`GGML_VK_VISIBLE_DEVICES\`), and each job's
meter reads only its own GPU's counter (checked in the two-GPU section below). The commands are at the end.
- **GPU 0**, the GPU onnxruntime's WebGPU adapter (Dawn) picks (\`multi-gpu/webgpu-gpu.txt\`): llama.cpp Vulkan
  LLaMA-2-7B, then onnxruntime WebGPU LLaMA-2-7B and DeepSeek (\`logs/gpu0-llama2-vulkan-webgpu.txt\`); later the WebGPU
  profiles, WebGPU int8/int4 at batch 1/2/4 for LLaMA-2-7B and DeepSeek's one-at-a-time WebGPU sweep
  (\`logs/gpu0-webgpu-profiles-quant-deepseek.txt\`).
- **GPU 1**: llama.cpp Vulkan DeepSeek, then the Transformers baselines (\`logs/gpu1-deepseek-vulkan-transformers.txt\`);
  later the seed sweep for both models on llama.cpp CUDA (\`logs/gpu1-llamacpp-cuda.txt\`), built from node-llama-cpp's
  bundled sources for sm_90 on that host (\`scripts/llamacpp-cuda-build.sh\`, 24 jobs, 193 s: \`logs/llamacpp-cuda-build.txt\`).
- CPU work of one job (GGUF builds, Python) ran beside the other job's measurements; the WebGPU profiles and the start
  of the int8/int4 sweep ran while the CUDA build loaded 24 of the 32 cores.

Weights are seeded random values at the models' true shapes (wattlab's builders; Transformers' own random init for
the baseline): with fixed-length generation, time and energy depend on shapes and dtypes, not on weight values.
Energy: NVML's total-energy counter. CPU energy on that host is an **estimate** (no RAPL exposed), so the per-cell
tables use **GPU joules only**. J/token = GPU joules of the whole run (prefill + decode) / output tokens. Every new
shape was warmed up unmeasured on both sides (wattlab's sweep: one warm-up run per shape; the baseline: a full-length
generate per shape), so every figure takes **all** repetitions: the mean with its ${METHOD_TEXT.t}; ratios are ratios of
means with a 95% interval (delta method on the log ratio, Welch df), and a goal is met (**holds**), missed (**does not
hold**) or **undecided** when the interval straddles its threshold. Where a later sweep measured a cell
again (WebGPU int8/int4 batch 1, DeepSeek WebGPU fp16/int4 batch 1), its repetitions replace the earlier sweep's.

**Run:** the one-at-a-time seed sweep (input 128/512/1024, output 128/512/1024, batch 1/2/4, three weight forms,
Alpaca/GSM8K; 3 repetitions) for both models on llama.cpp CUDA and Vulkan (F16/Q8_0/Q4_0); onnxruntime WebGPU for
both models (fp16/int8/int4, input lengths, batch sizes, datasets; LLaMA-2-7B's output 512/1024 fp16 separately, stopped
by a 300 s limit after 5 of 6 runs; int8/int4 also at batch 2/4 for LLaMA-2-7B); the Transformers fp16
baseline at the 7 fp16 shapes of the sweep for both models. **Not run:** WebGPU at output 512/1024 for DeepSeek (its
long-output cells stop at 128, as the spec says), WebGPU int8/int4 at batch 2/4 for DeepSeek.
`);

out.push(`## wattlab vs Transformers, per cell (issue 9)

| model | engine | weights | batch | in/out | prompts | tokens/s [95% CI] | GPU J/out-token [95% CI] | baseline tokens/s | baseline J/token | speed × [95% CI] | energy × [95% CI] | floor tokens/s | % of floor |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
const order = (a: Cell, b: Cell) => a.model.localeCompare(b.model) || a.engine.localeCompare(b.engine) || a.form.localeCompare(b.form) || a.batch - b.batch || a.input - b.input || a.output - b.output || a.dataset.localeCompare(b.dataset);
/** Per cell: wattlab / baseline at the same model, batch and lengths (quantized forms against the fp16 baseline, as in the study). */
const ratios: { c: Cell; speed: number; energy: number; speedR: RatioEstimate; energyR: RatioEstimate }[] = [];
for (const c of wattlabCells.sort(order)) {
  const b = baselineFor(c);
  const tps = mean(c.tokensPerS);
  const fb = floorBytes(c);
  const floor = fb ? (c.batch * BANDWIDTH_B_PER_S) / fb.bytes : NaN;
  const speedR = b ? ratioOfMeans(b.tokensPerS, c.tokensPerS) : null, energyR = b ? ratioOfMeans(b.jPerToken, c.jPerToken) : null;
  if (b && speedR && energyR) ratios.push({ c, speed: speedR.ratio, energy: energyR.ratio, speedR, energyR });
  out.push(`| ${c.model} | ${c.engine} | ${c.form} | ${c.batch} | ${c.input}/${c.output} | ${c.dataset} | ${withCi(c.tokensPerS)} | ${withCi(c.jPerToken, 3)} | ` +
    `${b ? withCi(b.tokensPerS) : "not run"} | ${b ? withCi(b.jPerToken, 3) : "–"} | ${speedR ? ratioText(speedR) : "–"} | ${energyR ? ratioText(energyR) : "–"} | ` +
    `${fmt(floor, 0)}${fb?.estimated ? "*" : ""} | ${Number.isFinite(floor) ? fmt((100 * tps) / floor, 0) + "%" : "–"} |`);
}
out.push(`
speed × = wattlab tokens/s / baseline tokens/s; energy × = wattlab GPU J/token / baseline GPU J/token; int8/int4 and
Q8_0/Q4_0 cells are set against the fp16 baseline at the same shape, as in the study. The baseline's prompts are
random token ids (with fixed-length generation and random weights, only the token counts matter). Floor = batch × 4.3 TB/s /
weight bytes (an H200's device-to-device copy bandwidth, measured with a copy benchmark on a one-GPU H200 host on
2026-10-28; not re-measured here): the tokens/s of decode steps that only read the weights once; prefill and KV reads are left out, so
long inputs sit further from it. Weight bytes: the rows' \`model_weight_bytes\` where recorded (the later sweeps), else
the GGUF files' sizes as the builds printed them (${GGUF_LOGS.map((l) => `\`${l}\``).join(", ")}).
\\* **estimated floor**: the earlier onnxruntime rows (\`webgpu-llama2/\`, \`webgpu-llama2-long/\`, \`webgpu-deepseek/\`) did
not record their ONNX files' weight bytes, so their floor uses the GGUF file of the same form (the ONNX builds in
\`first-runs-one-gpu/\`: fp16 12.55 GiB, the same as GGUF F16; int4 4.43 GiB with fp32 scales, against Q4_0's 3.53 GiB).
`);

// Goals.
const byEngine = (engine: string) => ratios.filter((r) => r.c.engine === engine);
const speedGoal = (r: typeof ratios[number]) => verdict(r.speedR.ci, "≥", 3);
const energyGoal = (r: typeof ratios[number]) => verdict(r.energyR.ci, "≤", 1 / 3);
const tally = (vs: Verdict[]) => `${vs.filter((v) => v === "holds").length} / ${vs.filter((v) => v === "undecided").length} / ${vs.filter((v) => v === "does not hold").length}`;
const goalLine = (label: string, rs: typeof ratios) =>
  `| ${label} | ${rs.length} | ${tally(rs.map(speedGoal))} | ${fmt(Math.min(...rs.map((r) => r.speed)), 2)}–${fmt(Math.max(...rs.map((r) => r.speed)), 2)} | ${tally(rs.map(energyGoal))} | ${fmt(Math.min(...rs.map((r) => r.energy)), 2)}–${fmt(Math.max(...rs.map((r) => r.energy)), 2)} |`;
/** A goal over several cells: holds when it holds in every one, does not hold when it fails in any, else undecided. */
const every = (vs: Verdict[]): Verdict => (vs.some((v) => v === "does not hold") ? "does not hold" : vs.every((v) => v === "holds") ? "holds" : "undecided");
const q4b1 = wattlabCells.filter((c) => c.engine.startsWith("llama.cpp") && c.form === "Q4_0" && c.batch === 1 && c.input === 128 && c.output === 128 && c.dataset === "alpaca");
const webgpuB1 = ratios.filter((r) => r.c.engine.startsWith("onnxruntime") && r.c.batch === 1 && r.c.input === 128 && r.c.output === 128 && r.c.dataset === "alpaca");
const engines = [...new Set(ratios.map((r) => r.c.engine))].sort();
/** The engine with the highest mean speed ratio: the goal names "the faster wattlab engine". */
const fastest = engines.map((e) => ({ e, m: mean(byEngine(e).map((r) => r.speed)) })).sort((x, y) => y.m - x.m)[0]?.e ?? "–";
const bothVerdicts = byEngine(fastest).map((r) => every([speedGoal(r), energyGoal(r)]));
const both = byEngine(fastest).filter((_, i) => bothVerdicts[i] === "holds");
const bothUndecided = byEngine(fastest).filter((_, i) => bothVerdicts[i] === "undecided");
const webgpuGoal = (r: typeof ratios[number]) => verdict(r.speedR.ci, "≥", 1);
const pctOfFloor = (c: Cell) => (100 * mean(c.tokensPerS) * floorBytes(c)!.bytes) / BANDWIDTH_B_PER_S;
/** The share of the bandwidth floor, with the 95% interval of the mean tokens/s scaled to it. Units: %. */
const floorShare = (c: Cell): { pct: number; ci: Interval } => {
  const per = (100 * floorBytes(c)!.bytes) / BANDWIDTH_B_PER_S;
  return { pct: pctOfFloor(c), ci: scaleInterval(aggregate(c.tokensPerS).ci, per) };
};
const f16Floor = (() => {
  const ps = wattlabCells.filter((c) => c.engine.startsWith("llama.cpp") && c.form === "F16" && c.batch === 1 && c.input === 128 && c.output === 128 && c.dataset === "alpaca").map(pctOfFloor);
  return `${fmt(Math.min(...ps), 0)}–${fmt(Math.max(...ps), 0)}% on llama.cpp`;
})();
const cellName = (c: Cell) => `${c.model} ${c.form} b${c.batch} ${c.input}/${c.output}${c.dataset === "alpaca" ? "" : ` ${c.dataset}`}`;
out.push(`### Goals

Each cell's goal is judged by the 95% interval of its ratio: cells where it holds / is undecided / does not hold.

| engine | cells with a baseline | speed ≥ 3× (holds / undecided / not) | speed × range | energy ≤ ⅓ (holds / undecided / not) | energy × range |
|---|---|---|---|---|---|
${engines.map((e) => goalLine(e, byEngine(e))).join("\n")}

- Faster engine (${fastest}, by mean speed ratio) at ≥ 3× the baseline's tokens/s and ≤ ⅓ of its J/token in every
  cell: **${every(bothVerdicts)}**: both hold in ${both.length} of ${byEngine(fastest).length} cells${both.length ? ` (${both.map((r) => cellName(r.c)).join("; ")})` : ""}${bothUndecided.length ? `, undecided in ${bothUndecided.length} (${bothUndecided.map((r) => `${cellName(r.c)}: speed ${ratioText(r.speedR)}×, energy ${ratioText(r.energyR)}×`).join("; ")})` : ""}.
- Q4/int4 batch-1 decode at ≥ 50% of its bandwidth floor: **${every(q4b1.map((c) => verdict(floorShare(c).ci, "≥", 50)))}**: ${q4b1.map((c) => `${c.model} ${c.engine} Q4_0 ${formatInterval(floorShare(c).pct, floorShare(c).ci, 3)}% (${verdict(floorShare(c).ci, "≥", 50)})`).join(", ")}
  (F16 reaches ${f16Floor}: batch-1 steps carry a fixed cost per step that quantization does not shrink; \`bench/notes/gpu-paths.md\`).
- onnxruntime WebGPU at ≥ 1× the baseline (batch 1, 128/128): ${webgpuB1.map((r) => `${r.c.model} ${r.c.form} ${ratioText(r.speedR)}× (**${webgpuGoal(r)}**)`).join(", ")}
  (the profile section says where the fp16 step goes).
`);

// Where a WebGPU decode step goes: the profiles (profile/*.json.gz), summarised by `wattlab profile`'s own code.
{
  const PROFILE_TOKENS = 32, PROFILE_WARMUPS = 1;  // as the profiles were taken: --max-new-tokens 32, one warm-up generation
  const profiles = (["fp16", "int4"] as const).map((q) => ({ q, rel: `profile/llama-2-7b-${q}-webgpu.json.gz` }))
    .filter((p) => existsSync(join(dir, p.rel)))
    .map((p) => ({ ...p, g: summarizeGeneration(join(dir, p.rel), PROFILE_TOKENS, PROFILE_WARMUPS) }));
  if (profiles.length > 0) {
    out.push(`## Where a WebGPU decode step goes (profiles)

onnxruntime's profiler over one LLaMA-2-7B generation (128 tokens in, ${PROFILE_TOKENS} out, after ${PROFILE_WARMUPS} warm-up generation) on GPU 0,
summarised by \`wattlab profile --summarize\`. Two clocks: *host-side* times are each node's kernel call on the CPU
(on a GPU EP: recording and dispatch), *GPU timestamps* are the WebGPU EP's timestamp queries around each shader
dispatch. The profiler slows each step (it times every node and resolves timestamps), so the runs' wall times are
above the unprofiled sweeps'; the GPU kernel times do not depend on the host.
`);
    for (const p of profiles) {
      const lines = formatProfile(p.g, 10);
      lines[0] = `profile: ${p.rel}`;
      out.push(`### ${p.q}\n\n\`\`\`\n${lines.join("\n")}\n\`\`\`\n`);
    }
    // The unprofiled step of the same cell (the sweep's rows, p50 of each run's decode steps) and the weights' bytes.
    const reading = profiles.map(({ q, g }) => {
      const rows = webgpu.filter((r) => r.model === "llama-2-7b" && r.quantization === q && r.batch_size === 1 && r.input_length === 128 && r.output_length === 128 && r.dataset === "alpaca");
      const cell = wattlabCells.find((c) => c.engine.startsWith("onnxruntime") && c.model === "llama-2-7b" && c.form === q && c.batch === 1 && c.input === 128 && c.output === 128 && c.dataset === "alpaca");
      const gpu = g.decode?.gpu;
      if (!gpu || rows.length === 0 || !cell) return `- ${q}: no decode GPU timestamps or no sweep cell to set them against.`;
      const stepMs = 1000 * median(rows.map((r) => Number(r.decode_step_p50_s)));
      const top = gpu.programs[0], kernelMs = gpu.kernelUsPerRun / 1000, topMs = top.usPerRun / 1000;
      const fb = floorBytes(cell);
      const bw = fb ? fb.bytes / (topMs / 1000) : NaN;
      return `- **${q}**: GPU kernels ${fmt(kernelMs, 1)} ms per decode step over ${gpu.dispatchesPerRun} dispatches, against an unprofiled step of
  ${fmt(stepMs, 1)} ms (the sweep's p50): the GPU is busy with kernels ${fmt((100 * kernelMs) / stepMs, 0)}% of the step. ${top.program} takes
  ${fmt(topMs, 1)} ms (${fmt(100 * top.share, 0)}% of kernel time): ${fb ? `${fmt(fb.bytes / 2 ** 30, 2)} GiB of weights in that time is ${fmt(bw / 1e12, 2)} TB/s, ${fmt((100 * bw) / BANDWIDTH_B_PER_S, 0)}% of the copy bandwidth` : "weight bytes unknown"}.`;
    });
    out.push(`Reading, against the unprofiled sweep:
${reading.join("\n")}
- fp16's step is almost all MatMul kernel time: the EP's fp16 matrix-vector kernel, not the host, sets it, and no onnxruntime
  setting changes that kernel. Matching the baseline's step would take that kernel at about twice its speed.
- int4's step holds host gaps besides its kernels: dispatch recording and queue submits (the EP submits every 16
  dispatches by default). The next section tries the EP settings that bear on that.
- The host-side table's MemcpyFromHost (three small inputs, ≈ 16 ms) is where the host waits for the GPU under the
  profiler, not copy time.
`);
  }
}

// WebGPU EP settings (on a one-H200 host; provenance/ort-config-check.mjs), from generate --json files.
{
  interface Run { setting: string; stepMs: number; jPerStep: number; config: Record<string, string> }
  const runsIn = (sub: string): Run[] => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).filter((f) => f.endsWith(".json")).sort() : []).map((f) => {
    const m = JSON.parse(read(`${sub}/${f}`)) as { result: { decodeStepS: number[] }; decode: { gpuEnergyJ: number }; info: { sessionConfig?: Record<string, string> } };
    return { setting: f.replace(/\.json$/, "").replace(/-r\d+$/, ""), stepMs: 1000 * median(m.result.decodeStepS), jPerStep: m.decode.gpuEnergyJ / m.result.decodeStepS.length, config: m.info.sessionConfig ?? {} };
  });
  const table = (runs: Run[]) => [...new Set(runs.map((r) => r.setting))].map((s) => {
    const rs = runs.filter((r) => r.setting === s), steps = rs.map((r) => r.stepMs);
    return `| ${s} | ${Object.entries(rs[0].config).map(([k, v]) => `\`${k.replace("ep.webgpuexecutionprovider.", "…")}=${v}\``).join(" ") || "(none)"} | ${rs.length} | ${fmt(median(steps), 2)} (${spread(steps, 2)}) | ${fmt(median(rs.map((r) => r.jPerStep)), 3)} |`;
  }).join("\n");
  const header = "| runs named | --ort-config given | runs | ms per decode step, median (spread) | GPU J per step, median |\n|---|---|---|---|---|";
  const tried = runsIn("webgpu-settings"), validation = runsIn("webgpu-validation");
  if (tried.length > 0 || validation.length > 0) {
    const int4 = tried.filter((r) => r.setting.startsWith("int4")).map((r) => r.stepMs);
    out.push(`## WebGPU EP settings for the int4 decode step (one H200)

LLaMA-2-7B int4, batch 1, 128 tokens in, 128 out; \`wattlab generate --json\`, one process per run (the EP keeps one
WebGPU context per process), a warm-up generation first, settings interleaved over repetitions. A run's step time is
the median of its 127 decode steps, its energy the decode window's GPU joules per step. \`*-build\` runs are each
dtype's first process, right after wattlab built the model.

**Tried first, and void** (\`webgpu-settings/\`): the EP's submit batching
(\`maxNumPendingDispatches\`, default 16), validation and graph capture, passed as session config entries. A check
afterwards (\`provenance/ort-config-check.mjs\`, \`logs/ort-config-check.txt\`) showed that onnxruntime-node 1.30
never hands those entries to the WebGPU EP: bogus values open a session. On the provider object, the binding parses
\`validationMode\` (a bogus value fails) and refuses \`maxNumPendingDispatches\` and \`enableGraphCapture\` as unrecognized.
So all of these runs had the default submit batching and no graph capture (the \`…validationMode=disabled\` runs made
wattlab leave its own \`basic\` off the provider object, so they ran with onnxruntime's default validation), and the
int4 runs together measure the default int4 step's run-to-run spread:
**${fmt(median(int4), 2)} ms median, ${spread(int4, 2)} ms over ${int4.length} runs**. \`--ort-config\` now moves
\`…validationMode\` onto the provider object and refuses the other WebGPU EP keys, naming the key.

${header}
${table(tried)}

**Validation, the one setting the binding takes** (\`webgpu-validation/\`): wattlab's default
\`basic\` against \`disabled\`:

${header}
${table(validation)}

No setting that Node can reach moves the int4 step beyond its run-to-run spread, so wattlab keeps \`basic\` (with
\`disabled\`, a WebGPU error ends the process). The host share of the step stays: fewer dispatches per step (more fused
kernels in the graph) or graph capture (which needs IO binding and the submit options that onnxruntime-node does not
expose) are what is left, both outside what wattlab can set from Node today.
`);
  }
}

// The seed's findings, per engine and model.
out.push(`## The seed study's findings, as measured here

Computed by \`seedFindings()\` (the function notebooks 07 and 09 use) from each one-at-a-time sweep's rows, GPU joules
only on both sides (${QUANTITIES.j_per_output_token.meaning}). Each measured effect is a ratio of means with its 95%
interval; **direction** says whether the effect goes the study's way (holds / does not hold / undecided when the
interval straddles no change), **size** whether it is also within half the study's effect. Energy per input token comes
from the repeated-prefill window (prefill-only passes for ≥ 1 s): one 7B prefill lasts 15–500 ms, around the counter's
~100 ms tick; the earlier rows recorded it only with the host's estimated CPU share (flagged).
`);
const findingRow = (f: Finding) => {
  const v = (x: number | null) => (x === null ? "n/a" : f.kind === "ratio" ? `×${x.toFixed(2)}` : `${(100 * x).toFixed(0)}%`);
  return `| ${f.finding} | ${f.compared.replace(/ \(.*\)$/, "")} | ${v(f.paper)} | ${v(f.measured)}${f.ci ? ` [${v(f.ci.low)}, ${v(f.ci.high)}]` : ""} | ${f.verdict} | ${f.size}${f.estimated ? " (includes estimated CPU share)" : ""} |`;
};
const findingSets: [string, RunRecord[]][] = [];
for (const model of STUDY_MODELS) {
  findingSets.push([`llama.cpp (CUDA), ${model}`, cuda.filter((r) => r.model === model)]);
  findingSets.push([`llama.cpp (Vulkan), ${model}`, vulkan.filter((r) => r.model === model)]);
  findingSets.push([`onnxruntime (WebGPU), ${model}`, webgpu.filter((r) => r.model === model)]);
  findingSets.push([`Transformers (CUDA, the study's stack), ${model}`, baseline.filter((r) => r.model === model)]);
}
for (const [label, rows] of findingSets) {
  if (rows.length === 0) continue;
  out.push(`### ${label}\n\n| finding | compared | paper | measured [95% CI] | direction | size |\n|---|---|---|---|---|---|`);
  for (const f of seedFindings(rows, { scope: "gpu" })) out.push(findingRow(f));
  out.push("");
}
out.push(`Reading: batching cuts energy per token on every engine, as the study found. The study's int8/int4 *penalty*
(bitsandbytes dequantizes on the fly) does not carry over: llama.cpp's Q8_0/Q4_0 and onnxruntime's MatMulNBits read
fewer bytes per token and use less energy than fp16.
`);

// Issue 10: the two-GPU run.
const j = (f: string) => (existsSync(join(dir, f)) ? (JSON.parse(read(f)) as { t: number; mJ: Record<string, number> }) : null);
const before = j("multi-gpu/c-one-before.json"), mid = j("multi-gpu/c-one-after.json"), after = j("multi-gpu/c-two-after.json");
if (before && mid && after) {
  const keys = (file: string) => new Set(sweepRows(file).map((r) => r.key));
  const one = keys("multi-gpu/one"), two = keys("multi-gpu/two");
  const same = one.size === two.size && [...one].every((k) => two.has(k));
  const shard = (i: number) => {
    const file = join(dir, `multi-gpu/two/metrics.shard-${i}-of-2.jsonl`);
    return existsSync(file) ? effectiveRows(readResults(file).rows).filter((r) => r.state === "completed") : [];
  };
  const sumJ = (rs: RunRecord[]) => rs.reduce((a, r) => a + Number(r.gpu_energy_j_measured ?? 0), 0);
  const sumS = (rs: RunRecord[]) => rs.reduce((a, r) => a + Number(r.energy_window_s ?? 0), 0);
  const delta = (a: typeof before, b: typeof before, g: string) => (b!.mJ[g] - a!.mJ[g]) / 1000;
  const oneRows = sweepRows("multi-gpu/one");
  const tOne = mid.t - before.t, tTwo = after.t - mid.t;
  out.push(`## Two GPUs, one worker each (issue 10)

\`provenance/specs/multi-gpu.json\` (llama-100m GGUF F16 on llama.cpp Vulkan; batch 1/2/4 × output 512/1024; 2
repetitions + a warm-up per shape) ran first on GPU 0 alone, then with \`--gpus 0,1\` (one worker process per GPU,
each with CUDA_VISIBLE_DEVICES / GGML_VK_VISIBLE_DEVICES set to its GPU, merged at the end). Counters: pynvml, read
independently before and after each run (\`provenance/gpu_counters.py\` → \`multi-gpu/c-*.json\`).

| check | result |
|---|---|
| merged keys = the one-GPU run's keys | ${one.size} vs ${two.size} completed keys, identical sets: **${same}** |
| wall time, two workers / one | ${fmt(tTwo, 1)} s / ${fmt(tOne, 1)} s = **${fmt(tTwo / tOne, 2)}** |
${[0, 1].map((i) => { const rs = shard(i); return `| shard ${i} (GPU ${i}): rows' GPU J / GPU ${i}'s counter over the run | ${fmt(sumJ(rs), 0)} J / ${fmt(delta(mid, after, String(i)), 0)} J = ${fmt(sumJ(rs) / delta(mid, after, String(i)), 3)}; rows' mean power ${fmt(sumJ(rs) / sumS(rs), 0)} W |`; }).join("\n")}
| one-GPU run: rows' GPU J / GPU 0's counter | ${fmt(sumJ(oneRows), 0)} J / ${fmt(delta(before, mid, "0"), 0)} J = ${fmt(sumJ(oneRows) / delta(before, mid, "0"), 3)}; rows' mean power ${fmt(sumJ(oneRows) / sumS(oneRows), 0)} W |
| one-GPU run: GPU 1 (idle) over the same time | ${fmt(delta(before, mid, "1"), 0)} J, ${fmt(delta(before, mid, "1") / tOne, 0)} W |

Not double-counted: each shard's rows hold less than its own GPU's counter delta, and the one-GPU run's rows draw a
mean ${fmt(sumJ(oneRows) / sumS(oneRows), 0)} W, less than GPU 0's and the idle GPU 1's power added
(≥ ${fmt(2 * Number(oneRows[0]?.idle_power_w ?? NaN), 0)} W at idle): charging GPU 1's idle draw to GPU 0's runs would
have put it above that. Rows cover only the generation windows (not model loads, idle baselines, warm-ups), hence
ratios well under 1. The wall time is ${fmt(tTwo / tOne, 2)}× one GPU's, not ½: this small model's 12 runs last ~15 s
of generation in ~${fmt(tOne, 0)} s, and each worker pays process start, model load and a 3 s idle baseline alone.
`);
}

// Figures.
const figureCells = wattlabCells.filter((c) => c.input === 128 && c.output === 128 && c.dataset === "alpaca");
const label = (c: Cell) => `${short(c.model)} ${c.engine.replace(/[()]/g, "")} ${c.form} b${c.batch}`;
const bars = [...figureCells, ...baselineCells.filter((c) => c.input === 128 && c.output === 128)].sort(order)
  .map((c) => ({ x: label(c), tps: mean(c.tokensPerS), j: mean(c.jPerToken), base: c.engine.startsWith("transformers") }));
out.push("## Figures\n");
for (const [name, key, title] of [["tokens-per-s", "tps", "Tokens/s, 128 in / 128 out (mean of 3 repetitions)"], ["j-per-token", "j", "GPU joules per output token, 128 in / 128 out"]] as const) {
  const fig = exportPlot({
    data: [{ type: "bar", x: bars.map((b) => b.x), y: bars.map((b) => b[key]), marker: { color: bars.map((b) => (b.base ? "#999" : "#1f77b4")) } }],
    layout: { title: { text: title }, width: 1100, height: 560, margin: { b: 240 }, yaxis: { title: { text: key === "tps" ? "tokens/s" : "J / output token" } } },
  }, join(dir, "figures", name));
  out.push(`![${title}](figures/${name}.png) — [interactive](figures/${name}.html)${fig.pngPath ? "" : " (PNG not rendered: no Chromium where the report was generated)"}`);
}
{
  // Prefill energy per input token against input length: the study's input-length finding, per engine.
  const series = [...findingSets].filter(([, rows]) => rows.length > 0).map(([name, rows]) => {
    const at = (n: number) => rows.filter((r) => r.input_length === n && r.output_length === 128 && r.batch_size === 1 && (r.weight_form === undefined || String(r.weight_form).startsWith("F16") || String(r.weight_form).startsWith("fp16")) && r.dataset !== "gsm8k")
      .map((r) => Number(r.prefill_j_per_input_token_repeated_measured ?? r.prefill_j_per_input_token_repeated_estimated)).filter(Number.isFinite);
    const xs = [128, 512, 1024].filter((n) => at(n).length > 0);
    return { type: "scatter", mode: "lines+markers", name: name.replace(", the study's stack", ""), x: xs, y: xs.map((n) => mean(at(n))) };
  }).filter((s) => s.x.length > 1);
  const fig = exportPlot({ data: series, layout: { title: { text: "Prefill energy per input token (repeated-prefill window), fp16, batch 1" }, width: 1000, height: 520,
    xaxis: { title: { text: "input tokens" } }, yaxis: { title: { text: "J / input token" }, type: "log" } } }, join(dir, "figures", "prefill-j-per-input-token"));
  out.push(`![prefill energy per input token](figures/prefill-j-per-input-token.png) — [interactive](figures/prefill-j-per-input-token.html)${fig.pngPath ? "" : " (PNG not rendered)"}`);
}

out.push(`
## Commands that produced these files

From the repo root of a built checkout (\`npm ci && npm run build\`) copied to the host with Node; the hosts had no
network, so the datasets came as files (\`wattlab bundle\` packs the same CLI for such a host: README, "Air-gapped
nodes"). In every command below: \`WATTLAB_MODELS_DIR=/tmp/wattlab-models\`, \`WATTLAB_DATA_DIR\` names the local copy
of the Alpaca and GSM8K files, \`CUDA_DEVICE_ORDER=PCI_BUS_ID\`; \`on_gpu G CMD\` stands for
\`CUDA_VISIBLE_DEVICES=G GGML_VK_VISIBLE_DEVICES=G CMD\`; \`W="node bin/wattlab.js"\`, \`P=results/h200-2026-11/provenance\`,
\`S=$P/specs\`; each output folder \`out/X\` is \`X\` here, each job's terminal output is its file under \`logs/\`.

Two-H200 host, first both GPUs (\`logs/info-and-two-gpu-check.txt\`, \`multi-gpu/\`):

\`\`\`bash
$W info
$W build-model --format gguf --preset llama-100m --dtype f16 --out /tmp/wattlab-models/llama-100m-f16-synthvocab.gguf
python3 $P/gpu_counters.py > out/multi-gpu/c-one-before.json
on_gpu 0 $W sweep --spec $S/multi-gpu.json --out out/multi-gpu/one --idle-seconds 3 --no-progress
python3 $P/gpu_counters.py > out/multi-gpu/c-one-after.json
$W sweep --spec $S/multi-gpu.json --out out/multi-gpu/two --gpus 0,1 --idle-seconds 3
python3 $P/gpu_counters.py > out/multi-gpu/c-two-after.json
node $P/compare-shards.mjs out/multi-gpu/one/metrics.jsonl out/multi-gpu/two out/multi-gpu/c-one-after.json \\
  out/multi-gpu/c-two-after.json out/multi-gpu/c-one-before.json out/multi-gpu/c-one-after.json
# multi-gpu/webgpu-gpu.txt: the GPU whose counter moved most over one WebGPU generation (gpu_counters.py before and after)
$W build-model --preset llama-100m --dtype fp16 --graph fused --out /tmp/l100-fused
$W generate --model /tmp/l100-fused --dtype fp16 --device webgpu --input-tokens 128 --max-new-tokens 1024 --fixed-length
\`\`\`

Then two jobs at once, one per GPU:

\`\`\`bash
# GPU 0: logs/gpu0-llama2-vulkan-webgpu.txt
for q in q4_0 q8_0 f16; do $W build-model --format gguf --preset llama-2-7b --dtype $q --out /tmp/wattlab-models/llama-2-7b-$q-synthvocab.gguf; done
on_gpu 0 $W sweep --spec $S/h200-llamacpp-llama2.json --out out/llamacpp-llama2 --idle-seconds 5 --no-progress
on_gpu 0 $W sweep --spec $S/h200-webgpu-llama2.json --out out/webgpu-llama2 --idle-seconds 5 --no-progress
on_gpu 0 $W sweep --spec $S/h200-webgpu-deepseek.json --out out/webgpu-deepseek --idle-seconds 0 --no-progress  # no datasets yet: rerun below
# GPU 1: logs/gpu1-deepseek-vulkan-transformers.txt
for q in q4_0 q8_0 f16; do $W build-model --format gguf --preset deepseek-r1-distill-qwen-7b --dtype $q --out /tmp/wattlab-models/deepseek-r1-distill-qwen-7b-$q-synthvocab.gguf; done
on_gpu 1 $W sweep --spec $S/h200-llamacpp-deepseek.json --out out/llamacpp-deepseek --idle-seconds 5 --no-progress
for m in llama-2-7b deepseek-r1-distill-qwen-7b; do
  CUDA_VISIBLE_DEVICES=1 python3 bench/hf_baseline.py --model $m --shapes "1:128:128;1:512:128;1:1024:128;1:128:512;1:128:1024;2:128:128;4:128:128" --reps 3 --out out/hf-$m.csv
done
# then GPU 0 alone: logs/webgpu-deepseek.txt, logs/webgpu-llama2-long.txt
on_gpu 0 $W sweep --spec $S/h200-webgpu-deepseek.json --out out/webgpu-deepseek --idle-seconds 0
on_gpu 0 timeout 300 $W sweep --model llama-2-7b --engine onnxruntime --device webgpu --quantization fp16 --dataset alpaca --input-length 128 \\
  --output-length 512,1024 --batch-size 1 --mode grid --reps 3 --out out/webgpu-llama2-long --idle-seconds 0
\`\`\`

Later, the same host (\`logs/info-cuda-profile-runs.txt\`: \`$W info\`), again two jobs at once:

\`\`\`bash
# CPU: llama.cpp for CUDA sm_90 (logs/llamacpp-cuda-build.txt; the script's earlier form, same steps)
bash scripts/llamacpp-cuda-build.sh --jobs 24 --timeout 900
# GPU 1, once built: logs/gpu1-llamacpp-cuda.txt
for m in llama2 deepseek; do on_gpu 1 $W sweep --spec $S/h200-llamacpp-cuda-$m.json --out out/llamacpp-cuda-$m --idle-seconds 5 --no-progress; done
# GPU 0, from the start: logs/gpu0-webgpu-profiles-quant-deepseek.txt; profile/ (onnxruntime's profiler output, gzipped here)
for q in fp16 int4; do on_gpu 0 $W profile --model llama-2-7b --dtype $q --device webgpu --input-tokens 128 --max-new-tokens 32 --out out/profile/llama-2-7b-$q; done
on_gpu 0 $W sweep --spec $S/h200-webgpu-llama2-quant.json --out out/webgpu-llama2-quant --idle-seconds 5 --no-progress
on_gpu 0 $W sweep --spec $S/h200-webgpu-deepseek-full.json --out out/webgpu-deepseek-full --idle-seconds 5 --no-progress
\`\`\`

This report summarises the profiles itself (\`wattlab profile --summarize profile/FILE.json.gz --max-new-tokens 32\` prints
the same tables).

One-H200 host, the EP-settings runs: one process per file, settings interleaved over repetitions; the first process of
each dtype built the model (\`*-build\`). \`--ort-config\` then passed every key as a session config entry; today's wattlab
refuses \`maxNumPendingDispatches\` and \`enableGraphCapture\` (see the settings section), so only the validation runs
can be repeated as written:

\`\`\`bash
K=ep.webgpuexecutionprovider
G="$W generate --model llama-2-7b --device webgpu --input-tokens 128 --dataset alpaca --max-new-tokens 128 --fixed-length --warmup 1 --json"
# webgpu-settings/
$G --dtype int4 > int4-default-build.json
for rep in 1 2; do
  $G --dtype int4 > int4-p16-r$rep.json
  for p in 4 64 256 1024; do $G --dtype int4 --ort-config $K.maxNumPendingDispatches=$p > int4-p$p-r$rep.json; done
  $G --dtype int4 --ort-config $K.validationMode=disabled > int4-novalidation-r$rep.json
done
$G --dtype int4 --ort-config $K.enableGraphCapture=1 > int4-graphcapture-r1.json
$G --dtype fp16 > fp16-default-build.json
for p in 16 64 256; do $G --dtype fp16 --ort-config $K.maxNumPendingDispatches=$p > fp16-p$p.json; done
for rep in 3 4 5 6; do
  $G --dtype int4 > int4-p16-r$rep.json
  $G --dtype int4 --ort-config $K.maxNumPendingDispatches=4 > int4-p4-r$rep.json
  $G --dtype int4 --ort-config $K.validationMode=disabled > int4-novalidation-r$rep.json
  $G --dtype int4 --ort-config $K.enableGraphCapture=1 > int4-graphcapture-r$((rep - 1)).json
done
# logs/ort-config-check.txt (the tiny preset built first by: $W generate --model tiny --dtype fp16 --device webgpu)
node $P/ort-config-check.mjs /tmp/wattlab-models/tiny-fp16*/model.onnx
# webgpu-validation/ (after --ort-config learned to put validationMode on the provider object)
$G --dtype int4 > int4-build.json
for rep in 1 2 3 4 5; do
  $G --dtype int4 > int4-basic-r$rep.json
  $G --dtype int4 --ort-config $K.validationMode=disabled > int4-validation-disabled-r$rep.json
done
\`\`\`
`);
writeFileSync(join(dir, "REPORT.md"), out.join("\n") + "\n");
console.log(`wrote ${join(dir, "REPORT.md")}`);
