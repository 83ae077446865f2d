// The decode-step split from two Nsight Compute logs: kernel durations summed across units (ncu writes ns, us or ms and
// thousands separators), the difference per added step set against the step's wall time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { kernelTime, measuredSplit, readStepSplits, stepSplit } from "../../bench/step-split.js";

const HEAD = '"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","Section Name","Metric Name","Metric Unit","Metric Value"';
const row = (id: number, unit: string, value: string) => `"${id}","1","node","h","mul_mat_vec","1","7","(1,1,1)","(1,1,1)","0","9.0","Command line profiler metrics","gpu__time_duration.sum","${unit}","${value}"`;

test("kernel time sums every unit after ncu's banner; the split is per added step", () => {
  const four = ["==PROF== Connected to process 1", HEAD, row(0, "usecond", "1,200.50"), row(1, "nsecond", "800"), row(2, "msecond", "2")].join("\n");
  const eight = [HEAD, row(0, "usecond", "1,200.50"), row(1, "nsecond", "800"), row(2, "msecond", "2"), row(3, "msecond", "4"), row(4, "usecond", "4000")].join("\n");
  const a = kernelTime(four), b = kernelTime(eight);
  assert.equal(a.kernels, 3);
  assert.ok(Math.abs(a.seconds - (0.0012005 + 0.0000008 + 0.002)) < 1e-12);
  const split = stepSplit(a, b, [4, 8], 0.004);
  assert.ok(Math.abs(split.gpuPerStepS - 0.002) < 1e-12, "8 ms more over 4 more steps");
  assert.equal(split.kernelsPerStep, 0.5);
  assert.ok(Math.abs(split.gpuShare - 0.5) < 1e-9);
  assert.ok(Math.abs(split.hostPerStepS - 0.002) < 1e-12);
  assert.throws(() => kernelTime("no csv here"), /no ncu CSV header/);
  assert.throws(() => kernelTime([HEAD, row(0, "furlong", "1")].join("\n")), /unknown time unit "furlong"/);
});

test("a folder's step-split logs (plain or gzipped) set against the cell's decode steps give the GPU share and its verdict", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-split-"));
  const folder = join(dir, "llama-2-7b", "step-split");
  mkdirSync(folder, { recursive: true });
  // 8 new tokens: 10 ms of kernels; 24 new tokens: 10 + 16 × 5.7 ms. 16 more decode steps, 2 kernels each.
  const kernels = (n: number, ms: number) => [HEAD, ...Array.from({ length: n }, (_, i) => row(i, "msecond", String(ms / n)))].join("\n");
  writeFileSync(join(folder, "ncu-8.csv.gz"), gzipSync(kernels(4, 10)));
  writeFileSync(join(folder, "ncu-24.csv"), kernels(36, 10 + 16 * 5.7));
  writeFileSync(join(folder, "generate-8.json"), "{}");
  const [logs] = readStepSplits(dir);
  assert.deepEqual([logs.model, logs.folder, logs.newTokens], ["llama-2-7b", join("llama-2-7b", "step-split"), [8, 24]]);
  const rows = [0.0060, 0.0059, 0.0061].map((s) => ({ decode_step_p50_s: s }));
  const split = measuredSplit(logs, rows)!;
  assert.ok(Math.abs(split.gpuPerStepS - 0.0057) < 1e-12);
  assert.equal(split.kernelsPerStep, 2);
  assert.ok(Math.abs(split.gpuShare.mean - (0.0057 / 0.006 + 0.0057 / 0.0059 + 0.0057 / 0.0061) / 3) < 1e-12);
  assert.equal(split.goal, "holds", "90% of a step and more, well inside the interval");
  const slow = measuredSplit(logs, [0.008, 0.0081, 0.0079].map((s) => ({ decode_step_p50_s: s })))!;
  assert.equal(slow.goal, "does not hold", "the same kernels in an 8 ms step are 71% of it");
  const faster = measuredSplit(logs, [0.0055, 0.0056, 0.0054].map((s) => ({ decode_step_p50_s: s })))!;
  assert.ok(faster.gpuShare.mean > 1 && faster.profilerBound);
  assert.equal(faster.goal, "undecided", "profiled kernels longer than the unprofiled step are upper bounds, not a share");
  assert.equal(measuredSplit(logs, [{ decode_step_p50_s: null }]), null);
});
