// onnxruntime's profiler over a real tiny build on the CPU: the warm-up is left out of the summary by run count,
// the prefill run is split from the decode runs, and every operator's share adds up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarizeProfile } from "../../src/engine/onnxruntime/profile.js";
import { formatProfile, profileGeneration } from "../../src/lab/profile.js";

test("profileGeneration summarises the measured generation's runs per operator type", async () => {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-profile-models-"));
  const p = await profileGeneration({ model: "tiny", quantization: "fp32", inputTokens: 12, maxNewTokens: 6, warmupRuns: 2, threads: 1, modelsDir });
  assert.ok(existsSync(p.file));
  assert.equal(p.runsPerGeneration, 6, "one prefill run and one run per further token");
  assert.equal(p.summary.runs, 6, "the two warm-up generations are left out");
  assert.equal(p.decode?.runs, 5);
  const matmul = p.decode!.ops.find((o) => o.op === "MatMul");
  assert.ok(matmul && matmul.callsPerRun > 0 && matmul.provider === "CPU", JSON.stringify(p.decode!.ops.slice(0, 3)));
  const shares = p.decode!.ops.reduce((s, o) => s + o.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9);
  assert.ok(p.decode!.kernelUsPerRun > 0 && p.decode!.kernelUsPerRun <= p.decode!.runMeanUs * 1.05, "kernels fit inside their runs");
  assert.equal(p.prefill.runs, 1);
  assert.ok(p.prefill.kernelUsPerRun > 0);
  // the CPU EP writes no GPU timestamps: one line says so, and the host-side table follows as before
  assert.equal(p.decode!.gpu, null);
  const text = formatProfile(p, 4).join("\n");
  assert.match(text, /\nGPU timestamps: none in this profile \(CPU EP, or a WebGPU adapter\/build without timestamp queries\); host-side times only\nhost-side/);
  assert.match(text, /\n  MatMul +CPU /);
  assert.throws(() => summarizeProfile(p.file, { skipRuns: 100 }), /no session runs left to summarise \(18 recorded, 18 skipped\)/);
});

test("summarizeProfile names a file that is not a profile", () => {
  const file = join(mkdtempSync(join(tmpdir(), "wattlab-profile-")), "x.json");
  writeFileSync(file, "not json");
  assert.throws(() => summarizeProfile(file), /x\.json: not an onnxruntime profile .*pass the file a profiled session wrote/);
});
