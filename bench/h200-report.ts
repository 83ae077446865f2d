// Writes results/h200/REPORT.md and its figures from the stored GPU results (no GPU needed):
//   npm run build && node dist/bench/h200-report.js
// Inputs: wattlab sweeps (metrics.jsonl) and the Transformers baseline CSVs, all under results/h200/.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedFindings } from "../src/lab/findings.js";
import { exportPlot } from "../src/notebook/plot.js";
import { parseCsv } from "../src/sweep/csv.js";
import type { RunRecord } from "../src/sweep/record.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";
import { packageRoot } from "../src/version.js";

const dir = join(packageRoot(), "results", "h200");
/** Device-to-device copy bandwidth measured on a one-GPU H200 of this workplace (KINDS.md, 2026-10-28): the floor's denominator. */
const BANDWIDTH_B_PER_S = 4.3e12;

interface Cell {
  engine: string; model: string; form: string; batch: number; input: number; output: number;
  /** Every repetition, in order (index = repetition). */
  tokensPerS: number[]; jPerToken: number[]; weightBytes: number | null;
}

/**
 * Medians use the warm repetitions (1, 2, …) of wattlab and baseline alike: in this run the first repetition of
 * each new shape carried one-off costs on both sides (llama.cpp's Vulkan pipelines for a shape it had not seen;
 * the baseline's warm-up was an 8-token generate). Spreads show every repetition.
 */
const warm = (xs: number[]) => (xs.length > 1 ? xs.slice(1) : xs);

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const spread = (xs: number[], d = 1) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;

/** Study model names for rows whose model column is a folder (onnxruntime runs pointed at prebuilt folders). */
function studyModel(model: string): string {
  if (model.includes("l7b")) return "llama-2-7b";
  return model;
}

function sweepRows(sub: string): RunRecord[] {
  const file = join(dir, sub, "metrics.jsonl");
  return existsSync(file) ? effectiveRows(readResults(file).rows).filter((r) => r.state === "completed")
    .map((r) => ({ ...r, model: studyModel(String(r.model)) })) : [];
}

/** Weight bytes per model form: GGUF file sizes and ONNX folder sizes as built on the H200 (see gguf-build.log, ort-webgpu.log). */
const WEIGHT_BYTES: Record<string, number> = {
  "llama-2-7b F16": 13478276192, "llama-2-7b Q8_0": 7161261152, "llama-2-7b Q4_0": 3792186464,
  "llama-2-7b fp16": 12.55 * 2 ** 30, "llama-2-7b int4": 4.43 * 2 ** 30, "deepseek-r1-distill-qwen-7b Q4_0": 3.99 * 2 ** 30,
};

function cells(rows: RunRecord[]): Cell[] {
  const byKey = new Map<string, Cell>();
  for (const r of rows) {
    const form = String(r.weight_form).split(" ")[0];
    const key = [r.engine, r.model, form, r.batch_size, r.input_length, r.output_length].join("|");
    const c = byKey.get(key) ?? { engine: `${r.engine} (${r.device})`, model: String(r.model), form, batch: Number(r.batch_size),
      input: Number(r.input_length), output: Number(r.output_length), tokensPerS: [], jPerToken: [], weightBytes: WEIGHT_BYTES[`${r.model} ${form}`] ?? null };
    c.tokensPerS.push(Number(r.throughput_tokens_per_s));
    // GPU joules only, from NVML's counter: the baseline reads the same counter, and no estimate enters.
    c.jPerToken.push(Number(r.gpu_energy_j_measured) / Number(r.tokens_out));
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

function baselineCells(file: string): Cell[] {
  if (!existsSync(join(dir, file))) return [];
  const [head, ...lines] = parseCsv(readFileSync(join(dir, file), "utf8"));
  const rows = lines.filter((l) => l.length === head.length).map((l) => Object.fromEntries(head.map((h, i) => [h, l[i]])));
  const byKey = new Map<string, Cell>();
  for (const r of rows) {
    const key = [r.model, r.batch_size, r.input_length, r.output_length].join("|");
    const c = byKey.get(key) ?? { engine: "transformers (cuda)", model: r.model, form: "fp16", batch: Number(r.batch_size), input: Number(r.input_length),
      output: Number(r.output_length), tokensPerS: [], jPerToken: [], weightBytes: null };
    c.tokensPerS.push(Number(r.tokens_per_s));
    c.jPerToken.push(Number(r.j_per_output_token));
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

const llamacpp = sweepRows("llamacpp-llama2");
const ortWebgpu = sweepRows("ort-webgpu-llama2");
const qwen = sweepRows("llamacpp-qwen");
const wattlabCells = [...cells(llamacpp), ...cells(ortWebgpu), ...cells(qwen)];
const baseline = [...baselineCells("hf-llama-2-7b.csv"), ...baselineCells("hf-deepseek.csv")];
const baselineFor = (c: Cell) => baseline.find((b) => b.model === c.model && b.batch === c.batch && b.input === c.input && b.output === c.output);

const out: string[] = [];
out.push(`# The seed study at 7B scale on one NVIDIA H200

Generated by \`node dist/bench/h200-report.js\` from the files in this folder; every figure below is computed from
them. Hardware: one NVIDIA H200 (143,771 MiB, driver 580.159.04, CUDA 13.0), 16 vCPUs; see \`checks.log\`.
Weights are seeded random values at the models' true shapes (wattlab's builders; Transformers' own random init for
the baseline): the energy and time of a forward pass depend on shapes and dtypes, not on weight values, once the
output length is fixed (all runs here use fixed-length generation).

**What was run, and what was not.** This session's device budget (30 min, of which ~14 went to a helper's WebGPU
graph-form measurements) covered: the full one-at-a-time seed sweep for LLaMA-2-7B on llama.cpp (Vulkan; F16/Q8_0/Q4_0;
3 repetitions), LLaMA-2-7B on onnxruntime WebGPU (fp16 batch 1/2/4 and int4 batch 1; 3 repetitions), DeepSeek-R1-
Distill-Qwen-7B on llama.cpp Q4_0 (batch 1 and 4), and the Transformers fp16 baseline for both models. **Not run:**
the rest of the sweep for DeepSeek-R1-Distill-Qwen-7B (input/output length, F16/Q8_0, datasets), onnxruntime WebGPU
int8 and its length sweeps, llama.cpp's CUDA build (its prebuilt needs CUDA 13 runtime libraries and a source build
for sm_90 was not attempted), and a second idle baseline between runs (cooldown was off).

Energy: NVML's total-energy counter (\`gpu:counter\`), read at the engine's prefill/decode boundaries by wattlab's meter
and before/after each \`generate()\` by the baseline. CPU energy on that machine is an **estimate** (no RAPL exposed):
the tables below use **GPU joules only**, so no estimate enters any ratio. J/token = GPU joules of the whole run
(prefill + decode) / output tokens. Each cell: median of the warm repetitions (all but the first, on both sides:
the first repetition of a new shape carried one-off costs in wattlab's llama.cpp runs — Vulkan pipeline compilation —
and in the baseline — its warm-up was an 8-token generate); spread = min–max over all repetitions.
`);

out.push(`## Meter agreement (issue 5)

wattlab's window joules against an independent pynvml reading of the same counter taken just outside the window, under a
bf16 matmul load (\`bench/meter-agreement.ts\`; \`checks.log\`):
`);
const checks = existsSync(join(dir, "checks.log")) ? readFileSync(join(dir, "checks.log"), "utf8") : "";
const agreement = checks.split("\n").filter((l) => /^│ \d/.test(l)).map((l) => l.split("│").map((s) => s.trim()).filter(Boolean));
out.push("| window (s) | repeat | wattlab J | pynvml J | difference | nvidia-smi power integrated J |\n|---|---|---|---|---|---|");
for (const a of agreement) out.push(`| ${a[1]} | ${a[2]} | ${a[3]} | ${a[5]} | ${a[6]}% | ${a[7]} |`);
out.push(`\nThe 0.2 s and 2 s windows agree exactly; one 20 s window differs by 0.5% (pynvml's reading, taken outside the window, includes the
counter tick after it). Goal (within 1%): met in all six windows. Idle power is in the sweeps' \`idle_power_w\` column.
`);

out.push(`## wattlab vs Transformers, per cell (issue 9)

| model | engine | weights | batch | in/out | tokens/s (spread) | J/out-token (spread) | baseline tokens/s (spread) | baseline J/token (spread) | speed × | energy × | floor tokens/s | % of floor |
|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
for (const c of wattlabCells.sort((a, b) => a.model.localeCompare(b.model) || a.engine.localeCompare(b.engine) || a.form.localeCompare(b.form) || a.batch - b.batch || a.input - b.input || a.output - b.output)) {
  const b = baselineFor(c);
  const tps = median(warm(c.tokensPerS)), jpt = median(warm(c.jPerToken));
  const btps = b ? median(warm(b.tokensPerS)) : NaN, bjpt = b ? median(warm(b.jPerToken)) : NaN;
  const floor = c.weightBytes ? (c.batch * BANDWIDTH_B_PER_S) / c.weightBytes : NaN;
  out.push(`| ${c.model} | ${c.engine} | ${c.form} | ${c.batch} | ${c.input}/${c.output} | ${fmt(tps)} (${spread(c.tokensPerS)}) | ${fmt(jpt, 3)} (${spread(c.jPerToken, 3)}) | ` +
    `${b ? `${fmt(btps)} (${spread(b.tokensPerS)})` : "not run"} | ${b ? `${fmt(bjpt, 3)} (${spread(b.jPerToken, 3)})` : "–"} | ${b ? fmt(tps / btps, 2) : "–"} | ${b ? fmt(jpt / bjpt, 2) : "–"} | ${fmt(floor, 0)} | ${Number.isFinite(floor) ? fmt((100 * tps) / floor, 0) + "%" : "–"} |`);
}
out.push(`
speed × = wattlab tokens/s / baseline tokens/s (goal ≥ 3 for the faster engine); energy × = wattlab J/token / baseline
J/token (goal ≤ 0.33). Floor = batch × weight bytes⁻¹ × 4.3 TB/s (the device-to-device copy bandwidth measured on a
one-GPU H200 of this workplace, KINDS.md; not re-measured in this session): the tokens/s of a decode step that only
reads the weights once; prefill and KV reads are ignored, so short outputs sit further from it.
The baseline's first repetition of each shape came out ~3× slower than the next two (its warm-up generated 8 tokens,
not a full run), and wattlab's llama.cpp rows show the same for each new shape; the medians leave those out, the
spreads show them. \`bench/hf_baseline.py\` now warms up with a full-length run and the sweep warms up every new shape.
The DeepSeek baseline ran 2 repetitions (its median is its one warm repetition) and batch 1/4 only.
`);

// The seed's findings, per engine, from the sweeps' own rows.
out.push(`## The seed study's findings, as measured here

Computed by \`seedFindings()\` (the same function notebook 07 uses) from the one-at-a-time rows; energies here are the
rows' total energy (GPU counter + the small estimated CPU share, flagged).
`);
for (const [label, rows] of [["llama.cpp (Vulkan), LLaMA-2-7B", llamacpp], ["onnxruntime (WebGPU), LLaMA-2-7B", ortWebgpu]] as const) {
  const findings = seedFindings(rows.filter((r) => Number(r.repetition) >= 1));
  out.push(`### ${label}\n\n| finding | compared | paper | measured | verdict |\n|---|---|---|---|---|`);
  // A prefill window far shorter than the counter's ~100 ms tick reads 0 J or one whole tick: such a finding is not judged.
  const prefillS = median(rows.map((r) => Number(r.latency_prefill_s)));
  for (const f of findings) {
    const v = (x: number | null) => (x === null ? "n/a" : f.kind === "ratio" ? `×${x.toFixed(2)}` : `${(100 * x).toFixed(0)}%`);
    const unresolved = f.metric.startsWith("prefill") && !f.metric.includes("repeated") && prefillS < 0.2;
    const verdict = unresolved ? `not judged: prefill windows (median ${(prefillS * 1000).toFixed(0)} ms) are shorter than the counter's ~100 ms tick` : f.verdict;
    out.push(`| ${f.finding} | ${f.compared.replace(/ \(.*\)$/, "")} | ${v(f.paper)} | ${v(f.measured)} | ${verdict}${f.estimated ? " (includes estimated CPU share)" : ""} |`);
  }
  out.push("");
}
out.push(`Reading: on llama.cpp, int8/int4 *save* energy (Q8_0/Q4_0 kernels read fewer bytes per token), the opposite of the study's
bitsandbytes result, whose int8/int4 paths dequantize on the fly. Batching cuts energy per token as the study found.
Energy per input token (prefill J / input tokens) cannot be read from these rows: a 7B prefill of 128–1024 tokens lasts
20–70 ms on the H200, and NVML's energy counter advances in ~100 ms ticks, so a prefill window reads 0 J or one whole tick
(~35 J). The sweep now measures prefill energy over a loop of prefill-only passes lasting ≥ 1 s (the minimum-duration and
minimum-count rule of optimum-benchmark); that path has not yet run on the GPU.
`);

// Figures.
const figureCells = wattlabCells.filter((c) => c.input === 128 && c.output === 128);
const label = (c: Cell) => `${c.model.replace("deepseek-r1-distill-qwen-7b", "ds-qwen-7b")} ${c.engine.split(" ")[0]} ${c.form} b${c.batch}`;
const bars = [...figureCells.map((c) => ({ x: label(c), tps: median(warm(c.tokensPerS)), j: median(warm(c.jPerToken)) })),
  ...baseline.map((b) => ({ x: `${b.model.replace("deepseek-r1-distill-qwen-7b", "ds-qwen-7b")} transformers fp16 b${b.batch}`, tps: median(warm(b.tokensPerS)), j: median(warm(b.jPerToken)) }))];
for (const [name, key, title] of [["tokens-per-s", "tps", "Tokens/s, 128 in / 128 out (median of warm repetitions)"], ["j-per-token", "j", "GPU joules per output token, 128 in / 128 out"]] as const) {
  const fig = exportPlot({
    data: [{ type: "bar", x: bars.map((b) => b.x), y: bars.map((b) => b[key]), marker: { color: bars.map((b) => (b.x.includes("transformers") ? "#999" : "#1f77b4")) } }],
    layout: { title: { text: title }, width: 1000, height: 520, margin: { b: 220 }, yaxis: { title: { text: key === "tps" ? "tokens/s" : "J / output token" } } },
  }, join(dir, "figures", name));
  out.push(`![${title}](figures/${name}.png) — [interactive](figures/${name}.html)${fig.pngPath ? "" : " (PNG not rendered: no Chromium where the report was generated)"}`);
}

out.push(`
## Commands that produced these files

Packed with \`bash bench/device/pack.sh\` (Node, Vulkan loader, dist/, the CLI's node_modules) and
\`.devdata/\` (copies of shared/datasets), then on the H200, each after \`source .device/bootstrap.sh\`:

\`\`\`bash
# checks.log, gguf-build.log, hf-llama-2-7b.csv
bash bench/device/gpu-main.sh
# llamacpp-llama2/ (the sweep in gpu-main.sh failed there for want of the datasets; rerun with them)
WATTLAB_MODELS_DIR=/tmp/wattlab-models WATTLAB_DATA_DIR=$PWD/.devdata node bin/wattlab.js sweep --spec bench/device/specs/h200-llamacpp-llama2.json --out $OUT/llamacpp-llama2 --idle-seconds 5
# ort-webgpu-llama2/, ort-webgpu.log
node bin/wattlab.js build-model --preset llama-2-7b --dtype fp16 --graph fused --out /tmp/m/l7b-fp16   # and --dtype int4 → /tmp/m/l7b-int4
node bin/wattlab.js sweep --model /tmp/m/l7b-fp16 --engine onnxruntime --device webgpu --quantization fp16 --dataset alpaca --input-length 128 --output-length 128 --batch-size 1,2,4 --reps 3 --out $OUT/ort-webgpu-llama2 --idle-seconds 3
node bin/wattlab.js sweep --model /tmp/m/l7b-int4 --engine onnxruntime --device webgpu --quantization int4 --dataset alpaca --input-length 128 --output-length 128 --batch-size 1 --reps 3 --out $OUT/ort-webgpu-llama2 --idle-seconds 0
# llamacpp-qwen/, hf-deepseek.csv
node bin/wattlab.js build-model --format gguf --preset deepseek-r1-distill-qwen-7b --dtype q4_0 --out /tmp/wattlab-models/deepseek-r1-distill-qwen-7b-q4_0-synthvocab.gguf
node bin/wattlab.js sweep --model deepseek-r1-distill-qwen-7b --engine llama.cpp --device vulkan --quantization int4 --dataset alpaca --input-length 128 --output-length 128 --batch-size 1,4 --reps 3 --out $OUT/llamacpp-qwen --idle-seconds 0
python3 bench/hf_baseline.py --model deepseek-r1-distill-qwen-7b --batch 1,4 --input 128 --output 128 --reps 2 --out $OUT/hf-deepseek.csv
\`\`\`
`);
writeFileSync(join(dir, "REPORT.md"), out.join("\n") + "\n");
console.log(`wrote ${join(dir, "REPORT.md")}`);
