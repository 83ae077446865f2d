// Marker latency: from a child's write of a window line to wattlab's arrival timestamp, end to end through
// meterCommand (pipe, line reader, the meter's clock). Both sides read CLOCK_MONOTONIC: Python's
// time.monotonic_ns() in the child, process.hrtime here, mapped onto the meter's clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { meterCommand } from "../../src/meter/index.js";
import { packageRoot } from "../../src/version.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const LINES = 150;

/** performance-based Unix ms minus CLOCK_MONOTONIC ms, read back to back (the tightest of a few tries). */
function wallMinusMonotonicMs(): number {
  let best = { spread: Infinity, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const a = Number(process.hrtime.bigint()) / 1e6;
    const wall = performance.timeOrigin + performance.now();
    const b = Number(process.hrtime.bigint()) / 1e6;
    if (b - a < best.spread) best = { spread: b - a, offset: wall - (a + b) / 2 };
  }
  return best.offset;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

test("a window line is timestamped within 1 ms of its write (median)", { skip: hasPython ? false : "python3 is not installed", timeout: 60_000 }, async (t) => {
  const child = `
import sys, time
sys.path.insert(0, ${JSON.stringify(join(packageRoot(), "python"))})
from wattlab_window import begin, end, mark
for i in range(${LINES}):
    name = "w%d" % i
    sent = time.monotonic_ns(); begin(name); mark(name, begin_ns=sent)
    time.sleep(0.002)
    sent = time.monotonic_ns(); end(name); mark(name, end_ns=sent)
    time.sleep(0.002)
`;
  const result = await meterCommand(["python3", "-c", child], { gpus: "none", cpu: "none", stdio: "inherit" });
  const offsetMs = wallMinusMonotonicMs();
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.windowWarnings, []);
  assert.equal(result.windows.length, LINES);
  const toMonotonic = (meterMs: number): number => meterMs + result.clockZeroMs - offsetMs;
  const latencies = result.windows.flatMap((w) => [
    toMonotonic(w.startMs!) - Number(w.marks.begin_ns) / 1e6,
    toMonotonic(w.endMs!) - Number(w.marks.end_ns) / 1e6,
  ]).sort((a, b) => a - b);
  const median = percentile(latencies, 0.5);
  t.diagnostic(`marker latency, write → arrival timestamp, ${latencies.length} lines: min ${latencies[0].toFixed(3)} ms, median ${median.toFixed(3)} ms, p90 ${percentile(latencies, 0.9).toFixed(3)} ms, max ${latencies.at(-1)!.toFixed(3)} ms`);
  // Causality: no line is stamped before it was written (up to the µs of reading the two clocks).
  assert.ok(latencies[0] > -0.05, `a line arrived ${latencies[0]} ms before it was written: the clocks are not mapped right`);
  assert.ok(median < 1, `median marker latency ${median.toFixed(3)} ms`);
});
