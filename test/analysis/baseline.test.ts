// The Transformers baseline's CSV reads into rows the lab's analysis takes: GPU joules in the measured
// columns, a repeated-prefill figure only where the file measured one, and a clear error for another CSV.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBaselineCsv } from "../../src/analysis/baseline.js";
import { seedFindings } from "../../src/analysis/findings.js";
import { summarize } from "../../src/analysis/results.js";

const HEAD = "engine,model,quantization,device,batch_size,input_length,output_length,repetition,state,latency_total_s,latency_prefill_s,prefill_passes,tokens_out,tokens_per_s,energy_gpu_j,energy_source,j_per_output_token,prefill_energy_j,prefill_j_per_input_token,gpu_name,torch_version,transformers_version";
const row = (b: number, i: number, rep: number, joules: number, prefillPerToken: number) =>
  `transformers,llama-2-7b,fp16,cuda,${b},${i},128,${rep},completed,2.5,0.02,40,${b * 128},${(b * 128) / 2.5},${joules},gpu:counter,${joules / (b * 128)},${prefillPerToken * b * i},${prefillPerToken},NVIDIA H200,2.11.0+cu130,5.17.0`;

test("a baseline CSV becomes rows with measured GPU energy that summarize and seedFindings take", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-baseline-"));
  const file = join(dir, "hf.csv");
  writeFileSync(file, [HEAD, row(1, 128, 0, 500, 0.06), row(1, 128, 1, 520, 0.06), row(2, 128, 0, 560, 0.04), row(1, 512, 0, 540, 0.02)].join("\n") + "\n");
  const rows = loadBaselineCsv(file);
  assert.equal(rows.length, 4);
  assert.equal(rows[0].engine, "transformers");
  assert.equal(rows[0].gpu_energy_j_measured, 500);
  assert.equal(rows[0].prefill_gpu_j_per_input_token_repeated_measured, 0.06);
  assert.equal(rows[0].backend_version, "transformers 5.17.0, torch 2.11.0+cu130");
  const cells = summarize(rows, ["batch_size", "input_length"], ["energy_total_j"]);
  assert.deepEqual(cells.map((c) => [c.batch_size, c.input_length, c.energy_total_j_mean]), [[1, 128, 510], [1, 512, 540], [2, 128, 560]]);
  const findings = seedFindings(rows);
  const batch = findings.find((f) => f.finding.startsWith("batch 1→2"))!;
  // per output token: 510 / 128 at batch 1 against 560 / 256 at batch 2
  assert.ok(Math.abs(batch.measured! - (560 / 256 - 510 / 128) / (510 / 128)) < 1e-12);
  assert.equal(batch.estimated, false, "GPU counter only: nothing estimated");
  const input = findings.find((f) => f.metric.includes("repeated"))!;
  assert.ok(Math.abs(input.measured! - (0.02 - 0.06) / 0.06) < 1e-12);
});

test("an older baseline without repeated prefill leaves those columns empty; another CSV is refused by name", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-baseline-"));
  const old = join(dir, "old.csv");
  writeFileSync(old, HEAD.replace(",prefill_passes", "") + "\n" + row(1, 128, 0, 500, 0.06).replace(",40,", ",") + "\n");
  assert.equal(loadBaselineCsv(old)[0].prefill_j_per_input_token_repeated_measured, null);
  const other = join(dir, "metrics.csv");
  writeFileSync(other, "key,state\nabc,completed\n");
  assert.throws(() => loadBaselineCsv(other), /metrics\.csv: not a baseline CSV from bench\/hf_baseline\.py \(missing columns: model, batch_size/);
});
