// notebooks/13-h100-7b reads the committed one-GPU study and must tell what the report generated from the same files
// tells (results/h100-2026-12-7b-llama/cells.csv, written by bench/h100-report.ts by its own code path): the fastest and
// most frugal cell at each batch, and which cells are marked too noisy or short of repetitions. A model the folder
// lacks is one clear error naming the models it holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNotebook, type CodeCell } from "../../src/notebook/nbformat.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { parseCsv } from "../../src/sweep/csv.js";
import { formatInterval } from "../../src/util/stats.js";
import { packageRoot } from "../../src/version.js";

const root = packageRoot();
const notebook = join(root, "notebooks", "13-h100-7b.ipynb");
const studyDir = join(root, "results", "h100-2026-12-7b-llama");
// an earlier run of the same shape, with no switched cells of its own
const earlierDir = join(root, "results", "h100-2026-12-7b");
const skip = existsSync(join(root, "dist", "src", "notebook", "kernel-main.js")) ? false : "dist/ is not built";
const DEVICE: Record<string, string> = { cuda: "CUDA", vulkan: "Vulkan", webgpu: "WebGPU" };

function markdownOutputs(path: string): string[] {
  return readNotebook(path).cells.filter((c): c is CodeCell => c.cell_type === "code").flatMap((c) => c.outputs.map((o) => {
    const md = (o as { data?: Record<string, string | string[]> }).data?.["text/markdown"];
    return md === undefined ? "" : Array.isArray(md) ? md.join("") : md;
  })).filter(Boolean);
}

/** The report's cells for one model, labelled as the notebook labels them. */
function reportCells(folder: string, model: string) {
  const [header, ...rows] = parseCsv(readFileSync(join(folder, "cells.csv"), "utf8"));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]]))).filter((c) => c.model === model).map((c) => ({
    path: `${c.engine === "transformers" ? `Transformers ${c.variant}` : `${c.engine} ${DEVICE[c.device] ?? c.device}${c.variant ? ` (${c.variant})` : ""}`} ${c.weights}`,
    batch: Number(c.batch_size), n: Number(c.n), tokensPerS: Number(c.tokens_per_s_mean), jPerToken: Number(c.gpu_j_per_output_token_mean), noisy: c.too_noisy === "true",
  }));
}

// The folder the notebook reads by default (with llama.cpp's switched cells), the DeepSeek shape's folder its
// introduction points to, and an older folder that holds only some engines.
const studies = [{ folder: studyDir, model: "llama-2-7b" }, { folder: join(root, "results", "h100-2026-12-7b-deepseek"), model: "deepseek-r1-distill-qwen-7b" },
  { folder: join(root, "results", "h100-2026-12"), model: "deepseek-r1-distill-qwen-7b" }];
for (const { folder, model } of studies) {
  test(`notebook 13 says what the report generated from the same files says (${model}, ${folder.split("/").pop()})`, { skip, timeout: 600_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "wattlab-nb13-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = await runNotebook(notebook, { parameters: { studyDir: folder, model, figuresDir: join(dir, "figures") }, timeoutS: 300, outDir: dir });
    assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
    const summary = markdownOutputs(r.outputPath).find((m) => m.startsWith("- Batch 1: fastest"));
    assert.ok(summary, markdownOutputs(r.outputPath).join("\n---\n"));
    const cells = reportCells(folder, model);
    for (const batch of [1, 4]) {
      const at = cells.filter((c) => c.batch === batch);
      const fastest = at.reduce((a, b) => (b.tokensPerS > a.tokensPerS ? b : a));
      const frugal = at.reduce((a, b) => (b.jPerToken < a.jPerToken ? b : a));
      assert.ok(summary.includes(`- Batch ${batch}: fastest ${fastest.path} at ${fastest.tokensPerS.toFixed(1)} tokens/s; lowest GPU J/token ${frugal.path} at ${frugal.jPerToken.toFixed(3)}.`), summary);
    }
    if (!cells.some((c) => !c.path.startsWith("Transformers") && c.path.includes("("))) {
      assert.ok(markdownOutputs(r.outputPath).some((m) => m.startsWith("No llama.cpp path with a switch")), "a folder without switched cells says so");
    }
    const marked = cells.filter((c) => c.n < 3 || c.noisy).map((c) => `${c.path} b${c.batch}`).sort();
    const said = /- Marked: (.*)\.$/m.exec(summary)?.[1].split(", ").map((s) => s.replace(/ \((n < 3|too noisy)\)$/, "")).sort() ?? [];
    assert.deepEqual(said, marked);
  });
}

test("notebook 13 with a model the folder lacks stops with one line naming the models it holds", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb13-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runNotebook(notebook, { parameters: { studyDir, figuresDir: join(dir, "figures"), model: "no-such-model" }, timeoutS: 300, outDir: dir });
  assert.equal(r.ok, false);
  assert.match(String(r.failedCell?.evalue), /^model: no rows for "no-such-model" under .*h100-2026-12-7b-llama; it holds llama-2-7b$/);
});

test("notebook 13 keeps rows measured with CUDA graphs off (backend_env) apart from the default ones", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb13-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, "study");
  cpSync(earlierDir, copy, { recursive: true });
  const store = join(copy, "llama-2-7b", "llamacpp-cuda", "metrics.jsonl");
  const rows = readFileSync(store, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  // the F16 rows again as if measured with CUDA graphs off, with twice the energy: new keys, otherwise the same
  const off = rows.filter((r) => r.state === "completed" && r.quantization === "fp16").map((r) => ({ ...r, key: `${String(r.key)}-graphs-off`,
    backend_env: "GGML_CUDA_DISABLE_GRAPHS=1", gpu_energy_j_measured: 2 * (r.gpu_energy_j_measured as number), gpu_j_per_output_token_measured: 2 * (r.gpu_j_per_output_token_measured as number) }));
  writeFileSync(store, [...rows, ...off].map((r) => JSON.stringify(r)).join("\n") + "\n");
  const r = await runNotebook(notebook, { parameters: { studyDir: copy, figuresDir: join(dir, "figures") }, timeoutS: 300, outDir: join(dir, "out") });
  assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
  const summary = markdownOutputs(r.outputPath).find((m) => m.startsWith("- Batch 1: fastest")) ?? "";
  assert.match(summary, /- llama\.cpp CUDA \(GGML_CUDA_DISABLE_GRAPHS=1\) F16 at ≥ the compiled Transformers' tokens\/s/, summary);
  // the default cell's ratio against Transformers static is the report's, untouched by the doubled rows
  const [header, ...csv] = parseCsv(readFileSync(join(earlierDir, "cells.csv"), "utf8"));
  const plain = csv.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]])))
    .find((c) => c.engine === "llama.cpp" && c.device === "cuda" && !c.variant && c.weights === "F16" && c.batch_size === "1")!;
  const ratio = formatInterval(Number(plain.vs_static_j_ratio), { low: Number(plain.vs_static_j_ratio_ci_low), high: Number(plain.vs_static_j_ratio_ci_high) }, 3);
  assert.ok(summary.includes(`- llama.cpp CUDA F16 at ≥ the compiled Transformers' tokens/s and ≤ its J/token at every batch: **does not hold** (b1: speed ×`), summary);
  assert.ok(summary.includes(`J/token ×${ratio}; b4`), `${ratio} in: ${summary}`);
});

test("notebook 13 sets the other shape's run beside this one: each ratio is the two folders' report means, and a missing folder is one line", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb13-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const otherDir = join(root, "results", "h100-2026-12-7b-deepseek");
  const r = await runNotebook(notebook, { parameters: { studyDir, otherDir, otherModel: "deepseek-r1-distill-qwen-7b", figuresDir: join(dir, "figures") }, timeoutS: 300, outDir: dir });
  assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
  const said = markdownOutputs(r.outputPath).find((m) => m.startsWith("deepseek-r1-distill-qwen-7b over llama-2-7b")) ?? "";
  const mine = reportCells(studyDir, "llama-2-7b"), theirs = reportCells(otherDir, "deepseek-r1-distill-qwen-7b");
  let checked = 0;
  for (const c of mine) {
    const o = theirs.find((x) => x.path === c.path && x.batch === c.batch);
    if (!o) continue;
    const line = new RegExp(`^- ${c.path.replace(/[.()]/g, "\\$&")} b${c.batch}: J/token ×([\\d.]+) \\[[^\\]]+\\], tokens/s ×([\\d.]+) `, "m").exec(said);
    assert.ok(line, `${c.path} b${c.batch} in: ${said}`);
    assert.ok(Math.abs(Number(line[1]) / (o.jPerToken / c.jPerToken) - 1) < 0.006, `${c.path} b${c.batch}: J/token ×${line[1]} against ${o.jPerToken / c.jPerToken}`);
    assert.ok(Math.abs(Number(line[2]) / (o.tokensPerS / c.tokensPerS) - 1) < 0.006, `${c.path} b${c.batch}: tokens/s ×${line[2]} against ${o.tokensPerS / c.tokensPerS}`);
    checked++;
  }
  assert.equal(checked, 22, "every engine path and batch the two folders share");

  const none = await runNotebook(notebook, { parameters: { studyDir, otherDir: join(dir, "nowhere"), figuresDir: join(dir, "figures") }, timeoutS: 300, outDir: join(dir, "none") });
  assert.ok(none.ok);
  assert.ok(markdownOutputs(none.outputPath).some((m) => m.startsWith("No repeated-window rows for deepseek-r1-distill-qwen-7b under ") && m.includes("nowhere")));
});

test("notebook 13 sets llama.cpp's switched paths against its defaults as the report does, ratio for ratio", { skip, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-nb13-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runNotebook(notebook, { parameters: { studyDir, figuresDir: join(dir, "figures") }, timeoutS: 300, outDir: dir });
  assert.ok(r.ok, `cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
  const said = markdownOutputs(r.outputPath).find((m) => m.startsWith("Each switched path")) ?? "";
  // the report's table, written by bench/h100-report.ts from the same rows
  const report = readFileSync(join(studyDir, "REPORT.md"), "utf8");
  const table = /## llama\.cpp's switches against its defaults\n[\s\S]*?\n\| model[^\n]*\n\|[-|]+\n((?:\|[^\n]*\n)+)/.exec(report)?.[1] ?? "";
  const rows = table.trim().split("\n").map((l) => l.split("|").map((c) => c.trim()));
  assert.equal(rows.length, 4, "flash attention off and CUDA graphs off, at batch 1 and 4");
  for (const row of rows) {
    const [, , cell, , speed, energy, step, faster, cheaper] = row;
    const [, path, batch] = /^(.*) b(\d+)$/.exec(cell)!;
    const means = (s: string) => s.replace(/ \[[^\]]*\]/g, "");
    const line = `- ${path} b${batch}: tokens/s ${speed}, J/token ${energy}; decode step ${means(step)} ms; defaults faster: ${faster}, cheaper: ${cheaper}.`;
    assert.ok(said.split("\n").includes(line), `${line}\nnot in:\n${said}`);
  }
});
