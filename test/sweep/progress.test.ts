import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { consoleProgress, formatDuration, type ProgressEvent } from "../../src/sweep/progress.js";
import { expandRuns, parseSpec } from "../../src/sweep/spec.js";

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => out };
}

const [run] = expandRuns(parseSpec({ base: { model: "tiny", input_length: 32, output_length: 16 } }));
const events: ProgressEvent[] = [
  { kind: "plan", sweep: "s", total: 3, skipped: 1, pending: 2, shard: null },
  { kind: "run-start", done: 0, pending: 2, run },
  { kind: "run-end", done: 1, pending: 2, run, state: "completed", seconds: 1.5, etaS: 75, error: null },
  { kind: "run-end", done: 2, pending: 2, run, state: "failed", seconds: 0.5, etaS: 0, error: "OutOfMemoryError: boom" },
  { kind: "done", completed: 1, failed: 1, skipped: 1, seconds: 2 },
];

test("not a terminal: one plain line per run, with the ETA and any error", () => {
  const { stream, text } = capture(false);
  const render = consoleProgress(stream);
  events.forEach(render);
  assert.ok(!text().includes("\r"), "no carriage returns in logs");
  assert.match(text(), /^sweep s: 3 runs, 1 already done, 2 to run$/m);
  assert.match(text(), /^ {2}1\/2 completed tiny fp32 cpu onnxruntime alpaca in=32 out=16 b=1 rep 1 \(1\.50 s\) ETA 1m15s$/m);
  assert.match(text(), /2\/2 failed .*: OutOfMemoryError: boom$/m);
  assert.match(text(), /sweep done in 2s: 1 completed, 1 failed, 1 skipped/);
});

test("a terminal: a redrawn bar with the ETA", () => {
  const { stream, text } = capture(true);
  const render = consoleProgress(stream);
  events.forEach(render);
  assert.match(text(), /\r\x1b\[K\[#{12}-{12}\] 1\/2 ETA 1m15s/);
  assert.match(text(), /failed: tiny .*OutOfMemoryError: boom\n/);
  assert.equal(formatDuration(3725), "1h02m");
});
