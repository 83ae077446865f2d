// Every notebook in notebooks/ runs headless on the tiny CPU default, through wattlab's runner and through
// Jupyter's own client (nbconvert → nbclient), into a temp results folder; no cell may produce an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statSync } from "node:fs";
import { readNotebook, writeNotebook, type CodeCell } from "../../src/notebook/nbformat.js";
import { declaredParameters, injectParameters } from "../../src/notebook/parameters.js";
import { runNotebook } from "../../src/notebook/runner.js";
import { packageRoot } from "../../src/version.js";
import { parseCsv } from "../../src/sweep/csv.js";

const root = packageRoot();
const notebookDir = join(root, "notebooks");
const notebooks = readdirSync(notebookDir).filter((f) => f.endsWith(".ipynb")).sort();
const builtLauncher = existsSync(join(root, "dist", "src", "notebook", "kernel-main.js"));
const skipKernel = builtLauncher ? false : "dist/ is not built (npm test builds it first)";

/** Parameters that keep a test's outputs in its temp folder, one repetition (those the notebook declares); datasets as a user gets them. */
function parametersFor(file: string, dir: string): Record<string, unknown> {
  return declaredParameters(readNotebook(join(notebookDir, file)), offeredParameters(file, dir));
}

function offeredParameters(file: string, dir: string): Record<string, unknown> {
  const figuresDir = join(dir, "figures");
  if (file.startsWith("00-") || file.startsWith("08-")) return { figuresDir };
  // 09 and 13 read the committed GPU results: absolute paths, since Jupyter runs the copies from a temp folder
  return { resultsDir: join(dir, "results"), figuresDir, repetitions: 1, h200Dir: join(root, "results", "h200-2026-11"), studyDir: join(root, "results", "h100-2026-12-7b-llama") };
}

function errorOutputs(cells: CodeCell[]): string[] {
  return cells.flatMap((c, i) => c.outputs.filter((o) => o.output_type === "error").map((o) => `cell ${i}: ${(o as { ename?: string }).ename}: ${(o as { evalue?: string }).evalue}`));
}

function hasChart(cells: CodeCell[]): boolean {
  return cells.some((c) => c.outputs.some((o) => o.output_type === "display_data" && "application/vnd.plotly.v1+json" in ((o as { data?: object }).data ?? {})));
}

test("every notebook runs through wattlab's runner with charts and no error outputs", { skip: skipKernel, timeout: 1_200_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-notebooks-"));
  try {
    for (const file of notebooks) {
      const r = await runNotebook(join(notebookDir, file), { parameters: parametersFor(file, dir), timeoutS: 300, outDir: join(dir, "executed") });
      t.diagnostic(`${file}: ${r.ok ? "ok" : "FAILED"} in ${r.seconds.toFixed(1)} s`);
      assert.ok(r.ok, `${file}: cell ${r.failedCell?.index} raised ${r.failedCell?.ename}: ${r.failedCell?.evalue}`);
      const cells = readNotebook(r.outputPath).cells.filter((c): c is CodeCell => c.cell_type === "code");
      assert.deepEqual(errorOutputs(cells), [], file);
      assert.ok(hasChart(cells), `${file} shows no plotly chart`);
      assert.ok(cells.every((c) => typeof c.execution_count === "number"), `${file}: every executed cell has an execution count`);
      const bytes = statSync(r.outputPath).size;
      assert.ok(bytes < 1_000_000, `${file}: the executed notebook is ${(bytes / 1e6).toFixed(2)} MB; it must stay under 1 MB (plotly.js is loaded, not embedded)`);
    }
    const rows = parseCsv(readFileSync(join(dir, "results", "metrics.csv"), "utf8"));
    const header = rows[0]!;
    const data = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    assert.ok(data.length >= 11, `the sweep notebooks stored ${data.length} runs`);
    for (const row of data.filter((r) => r.state === "completed")) {
      const energy = Number(row.energy_total_j_measured || row.energy_total_j_estimated);
      assert.ok(Number.isFinite(energy) && energy >= 0, `energy of ${row.key} is a number: ${energy}`);
      assert.match(row.energy_source ?? "", /gpu:\w+ cpu:\w+ dram:\w+/);
      assert.ok(row.dataset_requested && row.dataset_used, `${row.key} says which dataset was asked for and which ran`);
    }
    assert.ok(existsSync(join(dir, "figures", "03-batch-size.html")), "figures are exported as HTML");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const nbconvert = spawnSync("jupyter-nbconvert", ["--version"], { encoding: "utf8" });
const skipJupyter = skipKernel || (nbconvert.status === 0 ? false : "jupyter-nbconvert is not installed (apt: jupyter-nbconvert python3-nbclient jupyter-client)");

test("every notebook runs in real Jupyter (nbconvert) on the project kernelspec", { skip: skipJupyter, timeout: 1_200_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-jupyter-"));
  try {
    const inputs = join(dir, "in");
    mkdirSync(inputs);
    for (const file of notebooks) {
      writeNotebook(join(inputs, file), injectParameters(readNotebook(join(notebookDir, file)), parametersFor(file, dir), file));
    }
    const run = spawnSync("jupyter-nbconvert", [
      "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=wattlab", "--ExecutePreprocessor.timeout=300",
      "--output-dir", join(dir, "out"), ...notebooks.map((f) => join(inputs, f)),
    ], { cwd: inputs, env: { ...process.env, JUPYTER_PATH: join(root, ".jupyter") }, encoding: "utf8", timeout: 1_100_000 });
    t.diagnostic(run.stderr.split("\n").filter((l) => l.includes("Writing") || l.includes("Error")).join("\n"));
    assert.equal(run.status, 0, run.stderr.slice(-4000));
    for (const file of notebooks) {
      const cells = readNotebook(join(dir, "out", file)).cells.filter((c): c is CodeCell => c.cell_type === "code");
      assert.deepEqual(errorOutputs(cells), [], file);
      assert.ok(hasChart(cells), `${file} shows no plotly chart under Jupyter`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
