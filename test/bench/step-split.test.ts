// The decode-step split from two Nsight Compute logs: kernel durations summed across units (ncu writes ns, us or ms and
// thousands separators), the difference per added step set against the step's wall time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelTime, stepSplit } from "../../bench/step-split.js";

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
