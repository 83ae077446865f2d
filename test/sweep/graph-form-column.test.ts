// Rows say which ONNX graph form ran: the store builds presets fused for GPU devices and portable for the
// CPU (it is told the group's device), and the row's graph_form comes from the built model's manifest;
// model_weight_bytes holds the weight files' size (the bandwidth floor's denominator).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveModel } from "../../src/lab/models.js";
import type { SweepDevice } from "../../src/sweep/dimensions.js";
import { runSweep } from "../../src/sweep/run.js";
import { parseSpec } from "../../src/sweep/spec.js";
import { readResults } from "../../src/sweep/store.js";
import { smallSpecJson, standInDeps } from "./support/stand-ins.js";

test("a sweep over cpu and webgpu records graph_form portable and fused, from real tiny builds", async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-graph-models-"));
  const outDir = mkdtempSync(join(tmpdir(), "wattlab-graph-"));
  const devices: (SweepDevice | undefined)[] = [];
  const wired = standInDeps(); // the stand-in engine runs anywhere; the models are real builds
  wired.deps.resolveModel = (model, quantization, engine, device) => {
    devices.push(device);
    return resolveModel(model, quantization, engine, { modelsDir, device });
  };
  const spec = parseSpec({ ...smallSpecJson(1), warmup_runs: 0, dimensions: { device: ["cpu", "webgpu"] } });
  await runSweep(spec, wired.deps, { outDir, progress: false });
  assert.deepEqual(devices, ["cpu", "webgpu"]);
  const rows = readResults(join(outDir, "metrics.jsonl")).rows;
  assert.deepEqual(rows.map((r) => [r.device, r.graph_form]), [["cpu", "portable"], ["webgpu", "fused"]]);
  assert.match(String(rows[1].model_dir), /tiny-fp32-fused$/);
  // model_weight_bytes: the graph and its external data, not the tokenizer or manifest beside them
  for (const row of rows) {
    const dir = String(row.model_dir);
    const weights = readdirSync(dir).filter((f) => /\.onnx(\.data)?$/.test(f)).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    assert.ok(weights > 0);
    assert.equal(row.model_weight_bytes, weights);
  }
});
