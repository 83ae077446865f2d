// Writes results/h200/REPORT.md and its figures from the stored GPU results (no GPU needed):
//   npm run build && node dist/bench/h200-report.js
// Inputs, all under results/h200/: wattlab sweeps (*/metrics.jsonl), the Transformers baselines (hf-*.csv), the
// device logs (logs/) and the two-GPU run (multi-gpu/). Session 1's run is archived in session-1/.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadBaselineCsv } from "../src/lab/baseline.js";
import { seedFindings, type Finding } from "../src/lab/findings.js";
import { exportPlot } from "../src/notebook/plot.js";
import type { RunRecord } from "../src/sweep/record.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";
import { packageRoot } from "../src/version.js";

const dir = join(packageRoot(), "results", "h200");
/** Device-to-device copy bandwidth measured on a one-GPU H200 of this workplace (KINDS.md, 2026-10-28): the floor's denominator. */
const BANDWIDTH_B_PER_S = 4.3e12;
const STUDY_MODELS = ["llama-2-7b", "deepseek-r1-distill-qwen-7b"] as const;

interface Cell {
  engine: string; model: string; form: string; batch: number; input: number; output: number; dataset: string;
  /** Every repetition, in order. */
  tokensPerS: number[]; jPerToken: number[];
  /** The rows' model_weight_bytes (recorded from session 3 on); null for older rows. */
  weightBytes: number | null;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const spread = (xs: number[], d = 1) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;
const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : "");

function sweepRows(...subs: string[]): RunRecord[] {
  return subs.flatMap((sub) => {
    const file = join(dir, sub, "metrics.jsonl");
    return existsSync(file) ? effectiveRows(readResults(file).rows).filter((r) => r.state === "completed") : [];
  });
}

/** The Transformers baseline's rows (src/lab/baseline.ts); none where the file is absent. */
const baselineRows = (file: string): RunRecord[] => (existsSync(join(dir, file)) ? loadBaselineCsv(join(dir, file)) : []);

function cells(rows: RunRecord[]): Cell[] {
  const byKey = new Map<string, Cell>();
  for (const r of rows) {
    const form = String(r.weight_form).split(" ")[0];
    const key = [r.engine, r.model, form, r.batch_size, r.input_length, r.output_length, r.dataset].join("|");
    const c = byKey.get(key) ?? { engine: `${r.engine} (${r.device})`, model: String(r.model), form, batch: Number(r.batch_size), dataset: String(r.dataset),
      input: Number(r.input_length), output: Number(r.output_length), tokensPerS: [], jPerToken: [],
      weightBytes: typeof r.model_weight_bytes === "number" ? r.model_weight_bytes : null };
    c.tokensPerS.push(Number(r.throughput_tokens_per_s));
    // GPU joules only, from NVML's counter: the baseline reads the same counter, and no estimate enters.
    c.jPerToken.push(Number(r.gpu_energy_j_measured) / Number(r.tokens_out));
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

/** GGUF file sizes as the builds on the H200 printed them (logs/lane-*.txt): "<path>/<model>-<form>-….gguf: F16, 12.55 GiB in …". */
function ggufBytes(): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const log of ["logs/lane-A.txt", "logs/lane-B.txt"]) {
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

const llamacpp = sweepRows("llamacpp-llama2", "llamacpp-deepseek");
const webgpu = sweepRows("webgpu-llama2", "webgpu-llama2-long", "webgpu-deepseek");
const baseline = [...baselineRows("hf-llama-2-7b.csv"), ...baselineRows("hf-deepseek-r1-distill-qwen-7b.csv")];
const wattlabCells = [...cells(llamacpp), ...cells(webgpu)];
const baselineCells = cells(baseline);
const baselineFor = (c: Cell) => baselineCells.find((b) => b.model === c.model && b.batch === c.batch && b.input === c.input && b.output === c.output);
const hardware = read("logs/phase0.txt").split("\n").filter((l) => /gpu\d: |nvidia-smi: |^CPU energy/.test(l)).map((l) => l.trim());

const out: string[] = [];
out.push(`# The seed study at 7B scale on NVIDIA H200s (session 2)

Generated by \`node dist/bench/h200-report.js\` from the files in this folder; every figure below is computed from
them. Session 1's run (one H200; meter agreement with pynvml within 0.5%) is archived in \`session-1/\`.

Hardware (\`logs/phase0.txt\`): ${hardware.join("; ")}. One nvidia-h200-x2 host, 32 vCPUs. Work ran in two lanes,
one per GPU, at the same time (\`bench/device/gpu-2.sh\`): lane A on GPU 0 (llama.cpp LLaMA-2-7B, then onnxruntime
WebGPU, whose Dawn adapter is GPU 0: \`multi-gpu/webgpu-gpu.txt\`), lane B on GPU 1 (llama.cpp DeepSeek, then the
Transformers baselines). Each lane's meter reads only its own GPU's counter (checked in the two-GPU section below).
The other lane's CPU work (GGUF builds, Python) ran beside each lane's measurements on the shared 32 cores.

Weights are seeded random values at the models' true shapes (wattlab's builders; Transformers' own random init for
the baseline): with fixed-length generation, time and energy depend on shapes and dtypes, not on weight values.
Energy: NVML's total-energy counter. CPU energy on that host is an **estimate** (no RAPL exposed), so the per-cell
tables use **GPU joules only**. J/token = GPU joules of the whole run (prefill + decode) / output tokens. Every new
shape was warmed up unmeasured on both sides (wattlab's sweep: one warm-up run per shape; the baseline: a full-length
generate per shape), so medians here take **all** repetitions; spread = min–max.

**Run:** the one-at-a-time seed sweep (input 128/512/1024, output 128/512/1024, batch 1/2/4, three weight forms,
Alpaca/GSM8K; 3 repetitions) for both models on llama.cpp Vulkan (F16/Q8_0/Q4_0); onnxruntime WebGPU for LLaMA-2-7B
(fp16/int8/int4, input lengths, batch sizes, datasets; output 512/1024 fp16 separately, cut by the call's time limit
after 5 of 6 runs) and DeepSeek (fp16 and int4 at batch 1); the Transformers fp16 baseline at the 7 fp16 shapes of
the sweep for both models. **Not run:** llama.cpp's CUDA backend (the prebuilt binary carries sm_86/89/120 code only,
not the H200's sm_90; an offline source-build kit is prepared in \`bench/device/cuda-build.sh\` but this session's
device time ran out first), WebGPU DeepSeek beyond batch 1 at 128/128, WebGPU int8/int4 at batch 2/4.
`);

out.push(`## wattlab vs Transformers, per cell (issue 9)

| model | engine | weights | batch | in/out | prompts | tokens/s (spread) | GPU J/out-token (spread) | baseline tokens/s | baseline J/token | speed × | energy × | floor tokens/s | % of floor |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
const order = (a: Cell, b: Cell) => a.model.localeCompare(b.model) || a.engine.localeCompare(b.engine) || a.form.localeCompare(b.form) || a.batch - b.batch || a.input - b.input || a.output - b.output || a.dataset.localeCompare(b.dataset);
/** Per cell: wattlab / baseline at the same model, batch and lengths (quantized forms against the fp16 baseline, as in the study). */
const ratios: { c: Cell; speed: number; energy: number }[] = [];
for (const c of wattlabCells.sort(order)) {
  const b = baselineFor(c);
  const tps = median(c.tokensPerS), jpt = median(c.jPerToken);
  const btps = b ? median(b.tokensPerS) : NaN, bjpt = b ? median(b.jPerToken) : NaN;
  const fb = floorBytes(c);
  const floor = fb ? (c.batch * BANDWIDTH_B_PER_S) / fb.bytes : NaN;
  if (b) ratios.push({ c, speed: tps / btps, energy: jpt / bjpt });
  out.push(`| ${c.model} | ${c.engine} | ${c.form} | ${c.batch} | ${c.input}/${c.output} | ${c.dataset} | ${fmt(tps)} (${spread(c.tokensPerS)}) | ${fmt(jpt, 3)} (${spread(c.jPerToken, 3)}) | ` +
    `${b ? `${fmt(btps)} (${spread(b.tokensPerS)})` : "not run"} | ${b ? `${fmt(bjpt, 3)} (${spread(b.jPerToken, 3)})` : "–"} | ${b ? fmt(tps / btps, 2) : "–"} | ${b ? fmt(jpt / bjpt, 2) : "–"} | ` +
    `${fmt(floor, 0)}${fb?.estimated ? "*" : ""} | ${Number.isFinite(floor) ? fmt((100 * tps) / floor, 0) + "%" : "–"} |`);
}
out.push(`
speed × = wattlab tokens/s / baseline tokens/s; energy × = wattlab GPU J/token / baseline GPU J/token; int8/int4 and
Q8_0/Q4_0 cells are set against the fp16 baseline at the same shape, as in the study. The baseline's prompts are
random token ids (with fixed-length generation and random weights, only the token counts matter). Floor = batch × 4.3 TB/s /
weight bytes (the device-to-device copy bandwidth measured on a one-GPU H200 of this workplace, KINDS.md; not
re-measured here): the tokens/s of decode steps that only read the weights once; prefill and KV reads are left out, so
long inputs sit further from it. Weight bytes are the GGUF files' sizes as built there (\`logs/lane-*.txt\`).
\\* **estimated floor**: onnxruntime rows use the GGUF file of the same form, not their own ONNX files, whose sizes
were not recorded in this run (session 1: ONNX fp16 12.55 GiB, the same as GGUF F16; ONNX int4 4.43 GiB with fp32
scales, against Q4_0's 3.53 GiB).
`);

// Goals.
const byEngine = (prefix: string) => ratios.filter((r) => r.c.engine.startsWith(prefix));
const goalLine = (label: string, rs: typeof ratios) => {
  const speedOk = rs.filter((r) => r.speed >= 3).length, energyOk = rs.filter((r) => r.energy <= 1 / 3).length;
  return `| ${label} | ${rs.length} | ${speedOk} | ${fmt(Math.min(...rs.map((r) => r.speed)), 2)}–${fmt(Math.max(...rs.map((r) => r.speed)), 2)} | ${energyOk} | ${fmt(Math.min(...rs.map((r) => r.energy)), 2)}–${fmt(Math.max(...rs.map((r) => r.energy)), 2)} |`;
};
const q4b1 = wattlabCells.filter((c) => c.engine.startsWith("llama.cpp") && c.form === "Q4_0" && c.batch === 1);
const webgpuB1 = ratios.filter((r) => r.c.engine.startsWith("onnxruntime") && r.c.batch === 1 && r.c.input === 128 && r.c.output === 128 && r.c.dataset === "alpaca");
out.push(`### Goals

| engine | cells with a baseline | speed ≥ 3× | speed × range | energy ≤ ⅓ | energy × range |
|---|---|---|---|---|---|
${goalLine("llama.cpp (Vulkan)", byEngine("llama.cpp"))}
${goalLine("onnxruntime (WebGPU)", byEngine("onnxruntime"))}

- Faster engine at ≥ 3× the baseline's tokens/s and ≤ ⅓ of its J/token in every cell: **not met** (table above).
- Q4/int4 batch-1 decode at ≥ 50% of its bandwidth floor: **not met**: ${q4b1.map((c) => { const fb = floorBytes(c)!; return `${c.model} Q4_0 ${fmt((100 * median(c.tokensPerS) * fb.bytes) / BANDWIDTH_B_PER_S, 0)}%`; }).join(", ")} (F16 reaches about 50%: batch-1 steps carry a fixed cost that quantization does not shrink; \`bench/notes/gpu-paths.md\`).
- onnxruntime WebGPU at ≥ 1× the baseline (batch 1, 128/128): ${webgpuB1.map((r) => `${r.c.model} ${r.c.form} ${fmt(r.speed, 2)}×`).join(", ")}: **met for int8/int4** (fp16 activations, new this session), **not for fp16**.
`);

// The seed's findings, per engine and model.
out.push(`## The seed study's findings, as measured here

Computed by \`seedFindings()\` (the function notebook 07 uses) from each one-at-a-time sweep's rows. wattlab rows'
energy is the row's total (GPU counter + the CPU share, which is **estimated** on this host: flagged); the baseline's is
GPU joules only. Energy per input token comes from the repeated-prefill window (prefill-only passes for ≥ 1 s, new
this session): one 7B prefill lasts 15–500 ms, around the counter's ~100 ms tick.
`);
const findingRow = (f: Finding) => {
  const v = (x: number | null) => (x === null ? "n/a" : f.kind === "ratio" ? `×${x.toFixed(2)}` : `${(100 * x).toFixed(0)}%`);
  return `| ${f.finding} | ${f.compared.replace(/ \(.*\)$/, "")} | ${v(f.paper)} | ${v(f.measured)} | ${f.verdict}${f.estimated ? " (includes estimated CPU share)" : ""} |`;
};
const findingSets: [string, RunRecord[]][] = [];
for (const model of STUDY_MODELS) {
  findingSets.push([`llama.cpp (Vulkan), ${model}`, llamacpp.filter((r) => r.model === model)]);
  findingSets.push([`onnxruntime (WebGPU), ${model}`, webgpu.filter((r) => r.model === model)]);
  findingSets.push([`Transformers (CUDA, the study's stack), ${model}`, baseline.filter((r) => r.model === model)]);
}
for (const [label, rows] of findingSets) {
  if (rows.length === 0) continue;
  out.push(`### ${label}\n\n| finding | compared | paper | measured | verdict |\n|---|---|---|---|---|`);
  for (const f of seedFindings(rows)) out.push(findingRow(f));
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

\`bench/device/specs/multi-gpu.json\` (llama-100m GGUF F16 on llama.cpp Vulkan; batch 1/2/4 × output 512/1024; 2
repetitions + a warm-up per shape) ran first on GPU 0 alone, then with \`--gpus 0,1\` (one worker process per GPU,
each with CUDA_VISIBLE_DEVICES / GGML_VK_VISIBLE_DEVICES set to its GPU, merged at the end). Counters: pynvml, read
independently before and after each run (\`multi-gpu/c-*.json\`).

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
const short = (m: string) => m.replace("deepseek-r1-distill-qwen-7b", "ds-qwen-7b");
const label = (c: Cell) => `${short(c.model)} ${c.engine.split(" ")[0]} ${c.form} b${c.batch}`;
const bars = [...figureCells, ...baselineCells.filter((c) => c.input === 128 && c.output === 128)].sort(order)
  .map((c) => ({ x: label(c), tps: median(c.tokensPerS), j: median(c.jPerToken), base: c.engine.startsWith("transformers") }));
out.push("## Figures\n");
for (const [name, key, title] of [["tokens-per-s", "tps", "Tokens/s, 128 in / 128 out (median of 3 repetitions)"], ["j-per-token", "j", "GPU joules per output token, 128 in / 128 out"]] as const) {
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
    return { type: "scatter", mode: "lines+markers", name: name.replace(", the study's stack", ""), x: xs, y: xs.map((n) => median(at(n))) };
  }).filter((s) => s.x.length > 1);
  const fig = exportPlot({ data: series, layout: { title: { text: "Prefill energy per input token (repeated-prefill window), fp16, batch 1" }, width: 1000, height: 520,
    xaxis: { title: { text: "input tokens" } }, yaxis: { title: { text: "J / input token" }, type: "log" } } }, join(dir, "figures", "prefill-j-per-input-token"));
  out.push(`![prefill energy per input token](figures/prefill-j-per-input-token.png) — [interactive](figures/prefill-j-per-input-token.html)${fig.pngPath ? "" : " (PNG not rendered)"}`);
}

out.push(`
## Commands that produced these files

Packed here with \`bash bench/device/pack.sh\` (Node, Vulkan loader, dist/, the CLI's node_modules; the fixtures subset
removed to fit) and \`.devdata/\` (copies of shared/datasets), carried as \`.device\` and \`.devdata\`; on nvidia-h200-x2:

\`\`\`bash
bash bench/device/gpu-2.sh start 570   # logs/phase0.txt, multi-gpu/; starts lanes A/B/C (logs/lane-*.txt):
                                       # llamacpp-llama2/, webgpu-llama2/ (lane A, GPU 0); llamacpp-deepseek/, hf-*.csv (lane B, GPU 1)
bash bench/device/gpu-2.sh wait 560    # the lanes finished inside this call; webgpu-deepseek failed there (.devdata was gone)
# webgpu-deepseek/ (rerun with .devdata carried again), then webgpu-llama2-long/ (cut at 300 s after 5 of 6 runs):
source .device/bootstrap.sh; export WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.devdata CUDA_VISIBLE_DEVICES=0 GGML_VK_VISIBLE_DEVICES=0
node bin/wattlab.js sweep --spec bench/device/specs/h200-webgpu-deepseek.json --out /tmp/o/webgpu-deepseek --idle-seconds 0
timeout 300 node bin/wattlab.js sweep --model llama-2-7b --engine onnxruntime --device webgpu --quantization fp16 --dataset alpaca --input-length 128 --output-length 512,1024 --batch-size 1 --mode grid --reps 3 --out /tmp/o/webgpu-llama2-long --idle-seconds 0
\`\`\`
`);
writeFileSync(join(dir, "REPORT.md"), out.join("\n") + "\n");
console.log(`wrote ${join(dir, "REPORT.md")}`);
