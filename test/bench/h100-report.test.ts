// The H100 report is generated from the committed folder's raw rows: its figures equal the same figures recomputed here
// straight from the JSONL, its verdicts change when a row does, the committed REPORT.md and cells.csv are what the
// generator writes today, and the README quotes the report's protocol-check numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../../src/sweep/csv.js";
import { packageRoot } from "../../src/version.js";
import { buildH100Report, readmeBlock, withReadmeBlock } from "../../bench/h100-report.js";

const root = packageRoot();
const folder = join(root, "results", "h100-2026-12");
const script = join(root, "dist", "bench", "h100-report.js");
const VULKAN_F16_B1 = "llama-2-7b/llamacpp-vulkan/metrics.jsonl";

interface Generated { report: string; cells: Record<string, string>[]; csvText: string }

function generate(dir: string): Generated {
  const out = mkdtempSync(join(tmpdir(), "wattlab-h100-report-"));
  const run = spawnSync(process.execPath, [script, dir, "--out", out], { encoding: "utf8" });
  assert.equal(run.status, 0, `h100-report exited ${run.status}: ${run.stderr}`);
  const csvText = readFileSync(join(out, "cells.csv"), "utf8");
  const [head, ...lines] = parseCsv(csvText);
  return { report: readFileSync(join(out, "REPORT.md"), "utf8"), cells: lines.map((l) => Object.fromEntries(head.map((h, i) => [h, l[i]]))), csvText };
}

type Row = Record<string, unknown>;
const rowsOf = (file: string): Row[] => readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const medianOf = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const spreadOf = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / medianOf(xs);
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: report ${a}, recomputed ${b}`);

/** Full-generation rows of one cell, repeated windows, as the store holds them (no wattlab code involved). */
function cellRows(dir: string, store: string, match: (r: Row) => boolean): Row[] {
  return rowsOf(join(dir, store)).filter((r) => r.state === "completed" && r.measurement === "repeated" && !String(r.sweep).endsWith("-prefill") && match(r));
}
const vulkanF16b1 = (r: Row) => r.engine === "llama.cpp" && r.quantization === "fp16" && r.batch_size === 1;
const staticB1 = (r: Row) => r.mark_variant === "static" && r.batch_size === 1;
const jOf = (rows: Row[]) => rows.map((r) => r.gpu_j_per_output_token_measured as number);

/** The protocol check's two spreads as a text quotes them ("spreads X% … over N repeated windows against Y% over M single"). */
function quotedSpreads(text: string, where: string): { repeated: string; n: string; single: string; m: string } {
  const m = /spreads ([\d.]+)% \(max − min over median\) over (\d+) repeated windows against ([\d.]+)% over (\d+) single/.exec(text.replace(/\s+/g, " "));
  assert.ok(m, `${where} quotes no protocol-check spreads`);
  return { repeated: m[1], n: m[2], single: m[3], m: m[4] };
}

let committed: Generated | null = null;
const fromCommitted = () => (committed ??= generate(folder));

test("per-cell figures equal the JSONL's own: n, mean tokens/s and GPU J/token, the ratio against Transformers static", () => {
  const { cells } = fromCommitted();
  const stores = [
    { store: VULKAN_F16_B1, cell: (c: Record<string, string>) => c.engine === "llama.cpp" && c.weights === "F16" && c.batch_size === "1" && c.model === "llama-2-7b", match: vulkanF16b1 },
    { store: "llama-2-7b/transformers/metrics.jsonl", cell: (c: Record<string, string>) => c.variant === "static" && c.batch_size === "1" && c.model === "llama-2-7b", match: staticB1 },
    { store: "deepseek-r1-distill-qwen-7b/llamacpp-vulkan/metrics.jsonl", cell: (c: Record<string, string>) => c.model === "deepseek-r1-distill-qwen-7b" && c.weights === "Q4_0" && c.batch_size === "4",
      match: (r: Row) => r.quantization === "int4" && r.batch_size === 4 },
  ];
  for (const s of stores) {
    const rows = cellRows(folder, s.store, s.match);
    assert.ok(rows.length >= 3, `${s.store}: ${rows.length} rows`);
    const c = cells.filter(s.cell);
    assert.equal(c.length, 1, `${s.store}: one cell in cells.csv`);
    assert.equal(Number(c[0].n), rows.length);
    close(Number(c[0].gpu_j_per_output_token_mean), mean(jOf(rows)), `${s.store} J/token`);
    close(Number(c[0].tokens_per_s_mean), mean(rows.map((r) => r.throughput_tokens_per_s as number)), `${s.store} tokens/s`);
    close(Number(c[0].gpu_j_per_output_token_spread), spreadOf(jOf(rows)), `${s.store} spread`);
  }
  const vk = cellRows(folder, VULKAN_F16_B1, vulkanF16b1), st = cellRows(folder, "llama-2-7b/transformers/metrics.jsonl", staticB1);
  const f16 = cells.find(stores[0].cell)!;
  close(Number(f16.vs_static_j_ratio), mean(jOf(vk)) / mean(jOf(st)), "F16 b1 J/token over static's");
  assert.ok(Number(f16.vs_static_j_ratio_ci_low) < Number(f16.vs_static_j_ratio) && Number(f16.vs_static_j_ratio) < Number(f16.vs_static_j_ratio_ci_high));
});

test("the protocol check quotes the spreads of the repeated and the single windows recomputed from their stores", () => {
  const { report } = fromCommitted();
  const repeated = jOf(cellRows(folder, VULKAN_F16_B1, vulkanF16b1));
  const single = rowsOf(join(folder, "llama-2-7b/llamacpp-vulkan-single/metrics.jsonl")).filter((r) => r.state === "completed" && vulkanF16b1(r)).map((r) => r.gpu_j_per_output_token_measured as number);
  const q = quotedSpreads(report, "REPORT.md");
  assert.equal(q.repeated, (100 * spreadOf(repeated)).toFixed(2));
  assert.equal(q.single, (100 * spreadOf(single)).toFixed(2));
  assert.equal(Number(q.n), repeated.length);
  assert.equal(Number(q.m), single.length);
});

test("the committed REPORT.md and cells.csv are what the generator writes from the committed rows", () => {
  const fresh = fromCommitted();
  // the fresh report names its own folder in the command line; the committed one names the repo's
  const committedReport = readFileSync(join(folder, "REPORT.md"), "utf8");
  assert.equal(committedReport, fresh.report.split(folder).join("results/h100-2026-12"), "REPORT.md is stale: run node dist/bench/h100-report.js");
  assert.equal(readFileSync(join(folder, "cells.csv"), "utf8"), fresh.csvText, "cells.csv is stale: run node dist/bench/h100-report.js");
});

test("the README's summary of the report is the block the generator writes today, and quotes its protocol-check spreads", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## At 7B scale"), readme.indexOf("\n## ", readme.indexOf("## At 7B scale") + 1));
  assert.ok(section.includes("results/h100-2026-12/REPORT.md"), "the README's 7B section points to the H100 report");
  assert.deepEqual(quotedSpreads(section, "README's 7B section"), quotedSpreads(fromCommitted().report, "REPORT.md"));
  const report = buildH100Report(folder);
  assert.ok(readme.includes(readmeBlock(report)), "README.md's block differs from the generator's: run node dist/bench/h100-report.js results/h100-2026-12 --readme README.md");
  assert.equal(withReadmeBlock(readme, report), readme);
  assert.throws(() => withReadmeBlock("no markers", report), /has no <!-- report:results\/h100-2026-12 --> … <!-- \/report:results\/h100-2026-12 --> block/);
});

/** A copy of the folder with `edit` applied to one store's rows. */
function alteredCopy(store: string, edit: (rows: Row[]) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), "wattlab-h100-copy-")), "h100-2026-12");
  cpSync(folder, dir, { recursive: true });
  const rows = rowsOf(join(dir, store));
  edit(rows);
  writeFileSync(join(dir, store), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return dir;
}
/** Every energy figure of a row (joules and joules per token, GPU and total) times `by`. */
function scaleEnergy(r: Row, by: number): void {
  for (const [k, v] of Object.entries(r)) if (typeof v === "number" && /(^|_)(energy.*_j|j_per_.*)(_measured|_estimated)?$/.test(k)) r[k] = v * by;
}

test("one row's energy scaled flips the protocol verdict, and the report says so", () => {
  const rows = cellRows(folder, VULKAN_F16_B1, vulkanF16b1);
  const before = spreadOf(jOf(rows));
  // push the lowest repetition down by 10% when the spread is within 2%, else bring every repetition to the median
  const lowest = rows.reduce((a, r) => ((r.gpu_j_per_output_token_measured as number) < (a.gpu_j_per_output_token_measured as number) ? r : a));
  const dir = alteredCopy(VULKAN_F16_B1, (all) => {
    for (const r of all) {
      if (!(r.state === "completed" && vulkanF16b1(r))) continue;
      if (before <= 0.02) { if (r.key === lowest.key) scaleEnergy(r, 0.9); }
      else scaleEnergy(r, medianOf(jOf(rows)) / (r.gpu_j_per_output_token_measured as number));
    }
  });
  const after = spreadOf(jOf(cellRows(dir, VULKAN_F16_B1, vulkanF16b1)));
  assert.notEqual(before <= 0.02, after <= 0.02, `the edit moves the spread across 2% (${before} → ${after})`);
  const verdictIn = (report: string) => /spread ≤ 2%: \*\*(holds|does not hold)\*\*/.exec(report)?.[1];
  assert.equal(verdictIn(fromCommitted().report), before <= 0.02 ? "holds" : "does not hold");
  const altered = generate(dir);
  assert.equal(verdictIn(altered.report), after <= 0.02 ? "holds" : "does not hold");
  assert.equal(quotedSpreads(altered.report, "altered REPORT.md").repeated, (100 * after).toFixed(2));
});

test("scaling a cell's energy flips its ≤ ⅓ verdict against Transformers static", () => {
  const vk = cellRows(folder, VULKAN_F16_B1, vulkanF16b1), st = cellRows(folder, "llama-2-7b/transformers/metrics.jsonl", staticB1);
  const ratio = mean(jOf(vk)) / mean(jOf(st));
  // far to the other side of ⅓: the interval (a few % wide here) cannot straddle it
  const target = ratio <= 1 / 3 ? 1 : 0.2;
  const claim = /llama-2-7b: llama\.cpp Vulkan F16 b1 uses ≤ ⅓ of Transformers static's GPU J\/token: \*\*(holds|does not hold|undecided)\*\*/;
  const before = claim.exec(fromCommitted().report)?.[1];
  assert.ok(before, "the report states the claim");
  const dir = alteredCopy(VULKAN_F16_B1, (all) => { for (const r of all) if (r.state === "completed" && vulkanF16b1(r)) scaleEnergy(r, target / ratio); });
  const after = claim.exec(generate(dir).report)?.[1];
  assert.equal(after, target < 1 / 3 ? "holds" : "does not hold");
  assert.notEqual(after, before);
});

test("every report block in the README is what the generator writes today from its folder", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const dirs = [...readme.matchAll(/<!-- report:(\S+) -->/g)].map((m) => m[1]);
  assert.ok(dirs.length >= 2, `README blocks: ${dirs.join(", ")}`);
  for (const dir of dirs) {
    assert.ok(readme.includes(readmeBlock(buildH100Report(join(root, dir)))), `README.md's block for ${dir} is stale: run node dist/bench/h100-report.js ${dir} --readme README.md`);
  }
});

/** The 7B folder copied, with its CUDA F16 rows stored again as `variant` made them (new keys), and the report of it. */
function withF16Variant(name: string, variant: (r: Row) => Row): Generated {
  const dir = join(mkdtempSync(join(tmpdir(), `wattlab-h100-${name}-`)), "h100-2026-12-7b");
  cpSync(join(root, "results", "h100-2026-12-7b"), dir, { recursive: true });
  const store = join(dir, "llama-2-7b", "llamacpp-cuda", "metrics.jsonl");
  const rows = rowsOf(store);
  const again = rows.filter((r) => r.state === "completed" && r.quantization === "fp16").map((r) => ({ ...variant(r), key: `${String(r.key)}-${name}` }));
  writeFileSync(store, [...rows, ...again].map((r) => JSON.stringify(r)).join("\n") + "\n");
  return generate(dir);
}

test("llama.cpp rows with flash attention off are a cell of their own, named so, and can become the faster engine the goal is judged on", () => {
  // the F16 rows again as if measured with flash attention off, 10% faster: new keys, same figures otherwise
  const { report, cells } = withF16Variant("fa-off", (r) => ({ ...r, flash_attention: "off", throughput_tokens_per_s: (r.throughput_tokens_per_s as number) * 1.1 }));
  const offCells = cells.filter((c) => c.engine === "llama.cpp" && c.device === "cuda" && c.weights === "F16" && c.variant === "flash attention off");
  assert.deepEqual(offCells.map((c) => c.batch_size).sort(), ["1", "4"]);
  const plain = cells.filter((c) => c.engine === "llama.cpp" && c.device === "cuda" && c.weights === "F16" && !c.variant);
  assert.deepEqual(plain.map((c) => c.n), ["3", "3"], "the auto rows stay their own cells");
  assert.match(report, /llama-2-7b: llama\.cpp CUDA \(flash attention off\) \(the faster engine at F16, batch 1\)/);
});

test("rows measured with llama.cpp's CUDA graphs off (backend_env) are a cell of their own, named by the switch", () => {
  const { report, cells } = withF16Variant("graphs-off", (r) => ({ ...r, backend_env: "GGML_CUDA_DISABLE_GRAPHS=1", throughput_tokens_per_s: (r.throughput_tokens_per_s as number) * 0.9 }));
  const offCells = cells.filter((c) => c.engine === "llama.cpp" && c.device === "cuda" && c.weights === "F16" && c.variant === "GGML_CUDA_DISABLE_GRAPHS=1");
  assert.deepEqual(offCells.map((c) => c.batch_size).sort(), ["1", "4"]);
  assert.match(report, /\| llama-2-7b \| llama\.cpp CUDA \(GGML_CUDA_DISABLE_GRAPHS=1\) \| F16 \| 1 \| 3 \|/);
  assert.match(report, /llama-2-7b: llama\.cpp CUDA \(the faster engine at F16, batch 1\)/, "the slower variant does not take the goal");
});

test("bench/gpu-study.sh's steps are read from its text for each study model, variants with their flags and switches, and matched to its log", () => {
  const src = join(root, "results", "h100-2026-12-7b");
  const dir = join(mkdtempSync(join(tmpdir(), "wattlab-h100-study-")), "h100-2026-12-7b");
  cpSync(src, dir, { recursive: true });
  rmSync(join(dir, "provenance"), { recursive: true });
  rmSync(join(dir, "logs", "call-lab.txt"));
  mkdirSync(join(dir, "provenance"));
  cpSync(join(root, "bench", "gpu-study.sh"), join(dir, "provenance", "gpu-study.sh"));
  writeFileSync(join(dir, "logs", "call-gpu-study.txt"), [
    "[0 s] bandwidth", "[5 s] build: llama.cpp for CUDA (sm_90) and llama-2-7b's models, side by side, before any window", "[300 s] builds done",
    "[300 s] llama-2-7b llama.cpp cuda fp16,int8,int4", "18 completed, 0 failed, 0 already done → x/metrics.csv",
    "[400 s] llama-2-7b llama.cpp cuda fp16 --flash-attention off", "6 completed, 0 failed, 0 already done → x/metrics.csv",
    "[450 s] llama-2-7b llama.cpp cuda fp16 (GGML_CUDA_DISABLE_GRAPHS=1)", "6 completed, 0 failed, 0 already done → x/metrics.csv",
    "[500 s] llama-2-7b transformers static,default", "wattlab meter: stored 24 window rows in x",
    "[700 s] llama-2-7b serving llama.cpp cuda fp16, concurrency 1,4,16,64", "4 levels completed, 0 failed, 0 already done → x/serving.csv (requests: x)",
  ].join("\n") + "\n");
  const { report } = generate(dir);
  assert.match(report, /\| `provenance\/gpu-study\.sh` \| llama-2-7b llama\.cpp cuda fp16 --flash-attention off \| 400 \| 50 \| 6 rows completed, 0 failed \|/);
  assert.match(report, /\| `provenance\/gpu-study\.sh` \| llama-2-7b llama\.cpp cuda fp16 \(GGML_CUDA_DISABLE_GRAPHS=1\) \| 450 \| 50 \| 6 rows completed, 0 failed \|/);
  // the other study model's steps are in the script but not in its log
  assert.match(report, /deepseek-r1-distill-qwen-7b: `provenance\/gpu-study\.sh` step "deepseek-r1-distill-qwen-7b llama\.cpp cuda fp16,int8,int4" has no entry in its log/);
  assert.match(report, /deepseek-r1-distill-qwen-7b: `provenance\/gpu-study\.sh` step "deepseek-r1-distill-qwen-7b transformers static,default" has no entry in its log/);
  // the serving step, a shell function of its own, is listed with what its sweep stored
  assert.match(report, /\| `provenance\/gpu-study\.sh` \| llama-2-7b serving llama\.cpp cuda fp16, concurrency 1,4,16,64 \| 700 \| – \| 4 serving levels completed, 0 failed \|/);
  // …and the commands section names what ran there: the server, then the sweep against it
  assert.ok(report.includes("# llama-2-7b serving llama.cpp cuda fp16, concurrency 1,4,16,64\nwattlab serve --model llama-2-7b --engine llama.cpp --device cuda --quantization fp16, then wattlab sweep --engine openai"), report);
  // a call given one model (host.txt's models line, as gpu-study writes it) does not list the other model's steps as missing
  writeFileSync(join(dir, "host.txt"), "ncu: none\nmodels: llama-2-7b\n");
  const one = generate(dir).report;
  assert.doesNotMatch(one, /step "deepseek-r1-distill-qwen-7b/);
  assert.match(one, /deepseek-r1-distill-qwen-7b: not this folder's run: it was given llama-2-7b only \(`host\.txt`\)/);
  // engine steps left out through ENGINES (host.txt's engines line) are named as left out, not as missing from the log
  writeFileSync(join(dir, "host.txt"), "ncu: none\nmodels: llama-2-7b deepseek-r1-distill-qwen-7b\nengines: cuda,transformers\n");
  const some = generate(dir).report;
  assert.match(some, /deepseek-r1-distill-qwen-7b: left out of this run: it ran the engine steps cuda, transformers only \(`host\.txt`, the script's ENGINES\)/);
  assert.match(some, /deepseek-r1-distill-qwen-7b: `provenance\/gpu-study\.sh` step "deepseek-r1-distill-qwen-7b llama\.cpp cuda fp16,int8,int4" has no entry in its log/);
  assert.match(some, /deepseek-r1-distill-qwen-7b: `provenance\/gpu-study\.sh` step "deepseek-r1-distill-qwen-7b transformers static,default" has no entry in its log/);
});

test("a too-noisy cell says where its noise came from: its tokens/s spread beside its J/token spread, from the rows", () => {
  const dir = join(root, "results", "h100-2026-12-7b-deepseek");
  const { report, cells } = generate(dir);
  const store = "deepseek-r1-distill-qwen-7b/llamacpp-cuda/metrics.jsonl";
  const cases = [
    { label: "llama.cpp CUDA F16 b4", match: (r: Row) => r.quantization === "fp16" && r.batch_size === 4 },
    { label: "llama.cpp CUDA Q4_0 b1", match: (r: Row) => r.quantization === "int4" && r.batch_size === 1 },
  ];
  for (const c of cases) {
    const rows = cellRows(dir, store, c.match);
    const j = spreadOf(jOf(rows)), speed = spreadOf(rows.map((r) => r.throughput_tokens_per_s as number));
    const cell = cells.find((x) => x.model === "deepseek-r1-distill-qwen-7b" && x.engine === "llama.cpp" && x.device === "cuda" &&
      x.weights === (c.label.includes("F16") ? "F16" : "Q4_0") && x.batch_size === c.label.slice(-1))!;
    assert.equal(cell.too_noisy, "true", c.label);
    const reason = speed >= j / 2 ? `tokens/s spread ${(speed * 100).toFixed(2)}% too: the generations' pace changed between repetitions`
      : `tokens/s held within ${(speed * 100).toFixed(2)}%: the energy readings varied at a steady pace`;
    assert.equal(cell.too_noisy_reason, reason, c.label);
    assert.ok(report.includes(`deepseek-r1-distill-qwen-7b ${c.label} (`) && report.includes(reason), c.label);
  }
});

test("a call's commands are the steps its log records; the script's other steps are named as not run, and so is its Nsight Compute step", () => {
  const { report } = generate(join(root, "results", "h100-2026-12-7b-deepseek"));
  const block = /## Commands that produced these files[\s\S]*?```bash\n([\s\S]*?)```/.exec(report)?.[1] ?? "";
  assert.match(block, /--engine llama\.cpp --device cuda --quantization fp16,int8,int4/);
  assert.doesNotMatch(block, /--flash-attention off|GGML_CUDA_DISABLE_GRAPHS/, "steps the log never reached are not listed as having produced files");
  assert.match(report, /In the script but not in its log, so not run here: "deepseek-r1-distill-qwen-7b llama\.cpp cuda fp16 --flash-attention off", "deepseek-r1-distill-qwen-7b llama\.cpp cuda fp16 \(GGML_CUDA_DISABLE_GRAPHS=1\)"\./);
  assert.match(report, /fixed cost .*\*\*undecided\*\* — not measured: `provenance\/gpu-study\.sh` has a Nsight Compute step and its log has no entry for it\./);
});

test("llama.cpp's switches are set against its defaults from the same run, and stay out of the headline cells", () => {
  const dir = join(root, "results", "h100-2026-12-7b-llama");
  const { report } = generate(dir);
  const tps = (r: Row) => r.throughput_tokens_per_s as number;
  const f16 = (store: string, b: number) => cellRows(dir, `llama-2-7b/${store}/metrics.jsonl`, (r) => r.quantization === "fp16" && r.batch_size === b);
  const section = /## llama\.cpp's switches against its defaults\n([\s\S]*?)\n## /.exec(report)?.[1] ?? "";
  assert.ok(section, "the report has a switches section");
  for (const [store, label] of [["llamacpp-cuda-fa-off", "flash attention off"], ["llamacpp-cuda-graphs-off", "GGML_CUDA_DISABLE_GRAPHS=1"]] as const) {
    for (const b of [1, 4]) {
      const on = f16("llamacpp-cuda", b), off = f16(store, b);
      assert.equal(off.length, 3, `${store} b${b} rows`);
      const speed = mean(off.map(tps)) / mean(on.map(tps)), energy = mean(jOf(off)) / mean(jOf(on));
      const stepMs = (rows: Row[]) => mean(rows.map((r) => 1000 * (r.decode_step_p50_s as number)));
      const line = section.split("\n").find((l) => l.startsWith(`| llama-2-7b | llama.cpp CUDA (${label}) F16 b${b} |`));
      assert.ok(line, `a row for ${label} b${b}`);
      const cells = line.split("|").map((c) => c.trim());
      assert.match(cells[4], new RegExp(`^×${speed.toPrecision(3).replace(".", "\\.")} \\[`), `tokens/s ratio of ${label} b${b}`);
      assert.match(cells[5], new RegExp(`^×${energy.toPrecision(3).replace(".", "\\.")} \\[`), `J/token ratio of ${label} b${b}`);
      assert.ok(cells[6].startsWith(`${stepMs(on).toFixed(2)} [`) && cells[6].includes(`→ ${stepMs(off).toFixed(2)} [`), `decode steps of ${label} b${b}: ${cells[6]}`);
    }
  }
  // the headline cells are the 22 of the study (18 engine cells, 4 Transformers), not the switches' 4 more
  assert.match(report, /Every headline cell with n ≥ 3 and a J\/token interval within ±3% of its median: \*\*\w[\w ]*\*\* \(\d+ of 22 cells\)/);
  assert.doesNotMatch(report.split("\n")[0], /flash attention|GGML_CUDA/, "the title names engines, not switches");
  assert.doesNotMatch(/## The project's goals[\s\S]*?\n## /.exec(report)![0], /flash attention off/, "the goals table holds headline cells only");
});
