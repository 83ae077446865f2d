// Named windows from real child processes (Python with python/wattlab_window.py, Node with the library's
// helpers) on the pipe `wattlab meter` gives them, metered against the fake NVML's known counter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { meterCommand, type MeterCommandResult, type NamedWindow } from "../../src/meter/index.js";
import { packageRoot } from "../../src/version.js";
import { requireFake, skipWithoutFake } from "./fake-nvml.js";

const root = packageRoot();
const pythonDir = join(root, "python");
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const skipPython = skipWithoutFake() || (hasPython ? false : "python3 is not installed");

/** Fake GPUs: constant power per GPU, and a counter that advances in steps of TICK_MS (its resolution). */
const POWER_W = [250, 100];
const TICK_MS = 10;

// The child prints what it measured itself (CLOCK_MONOTONIC) as JSON on stdout: window name → seconds.
const PYTHON_CHILD = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(pythonDir)})
from wattlab_window import window, begin, end, mark
own = {}
t = {}
def stamp(name): t[name] = time.monotonic()
def done(name): own[name] = time.monotonic() - t[name]
with window("load"):
    stamp("load"); time.sleep(0.15)
    with window("decode") as w:
        stamp("decode"); time.sleep(0.25)
        w.mark(tokens=32, note="two words")
        done("decode")
    done("load")
begin("a"); stamp("a"); time.sleep(0.1)
begin("b"); stamp("b"); time.sleep(0.1)
end("a"); done("a")
mark(step=2)
time.sleep(0.1)
end("b"); done("b")
mark("decode", late=True)
print(json.dumps(own))
`;

const clientUrl = pathToFileURL(join(root, "dist", "src", "index.js")).href;
const NODE_CHILD = `
import { beginWindow, endWindow, markWindow, withWindow } from ${JSON.stringify(clientUrl)};
const sleep = (ms) => { const until = performance.now() + ms; while (performance.now() < until); };
const own = {}, t = {};
const stamp = (name) => { t[name] = performance.now(); };
const done = (name) => { own[name] = (performance.now() - t[name]) / 1000; };
await withWindow("load", async () => {
  stamp("load"); await new Promise((r) => setTimeout(r, 150));
  withWindow("decode", () => { stamp("decode"); sleep(250); markWindow({ tokens: 32, note: "two words" }); done("decode"); });
  done("load");
});
beginWindow("a"); stamp("a"); sleep(100);
beginWindow("b"); stamp("b"); sleep(100);
endWindow("a"); done("a");
markWindow({ step: 2 });
sleep(100);
endWindow("b"); done("b");
markWindow({ late: true }, "decode");
console.log(JSON.stringify(own));
`;

async function meterChild(argv: string[]): Promise<{ result: MeterCommandResult; own: Record<string, number> }> {
  const fake = requireFake();
  fake.configure({ count: 2, power_w: POWER_W.join(","), tick_ms: TICK_MS });
  const dir = mkdtempSync(join(tmpdir(), "wattlab-windows-"));
  const stdout = openSync(join(dir, "stdout"), "w");
  const stderr = openSync(join(dir, "stderr"), "w");
  try {
    const result = await meterCommand(argv, { nvmlLibraryPath: fake.libraryPath, gpus: "visible", cpu: "none", sampleMs: 20, stdio: ["ignore", stdout, stderr] });
    const printed = readFileSync(join(dir, "stdout"), "utf8");
    assert.equal(result.exitCode, 0, readFileSync(join(dir, "stderr"), "utf8"));
    return { result, own: JSON.parse(printed) as Record<string, number> };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}

function byName(windows: NamedWindow[]): Record<string, NamedWindow> {
  return Object.fromEntries(windows.map((w) => [w.name, w]));
}

function checkWindows(result: MeterCommandResult, own: Record<string, number>): void {
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.windowWarnings, []);
  assert.equal(result.windowsUsed, true);
  assert.deepEqual(result.windows.map((w) => [w.name, w.parent, w.closedBy]), [
    ["load", null, "end"],
    ["decode", "load", "end"],
    ["a", null, "end"],
    ["b", "a", "end"],
  ]);
  const w = byName(result.windows);
  // Nesting: decode inside load; overlap: b begins inside a and ends after it.
  assert.ok(w.load.startMs! <= w.decode.startMs! && w.decode.endMs! <= w.load.endMs!);
  assert.ok(w.a.startMs! < w.b.startMs! && w.b.startMs! < w.a.endMs! && w.a.endMs! < w.b.endMs!);
  // Marks go to the innermost open window (b, once a has ended) or to the one named, even after it closed.
  assert.deepEqual(w.decode.marks, { tokens: 32, note: "two words", late: "true" });
  assert.deepEqual(w.b.marks, { step: 2 });
  assert.deepEqual(result.marks, {});
  for (const window of result.windows) {
    // Seconds: the arrival times of the lines, close to what the child measured between its writes (the bound
    // leaves room for a stall of a busy test machine; the CLI test holds the 10 ms bound).
    assert.ok(Math.abs(window.seconds - own[window.name]) < 0.025, `${window.name}: ${window.seconds} s, the child measured ${own[window.name]} s`);
    // Joules: the fake counter's known trace (W × seconds), within one step of the counter (W × TICK_MS) plus
    // 2 ms of W for the time between a sample's clock reading and its counter read on a busy machine.
    assert.equal(window.sources.gpu, "counter");
    assert.deepEqual(window.gpus.map((g) => g.index), [0, 1]);
    window.gpus.forEach((gpu, i) => {
      const expected = POWER_W[i] * window.seconds;
      const tolerance = POWER_W[i] * (TICK_MS + 2) / 1000;
      assert.ok(Math.abs(gpu.energyJ - expected) <= tolerance, `${window.name} gpu${i}: ${gpu.energyJ.toFixed(3)} J, trace says ${expected.toFixed(3)} J ± ${tolerance} J`);
    });
    assert.ok(window.startMs! >= result.measurement.startMs! && window.endMs! <= result.measurement.endMs!, `${window.name} lies inside the command`);
  }
  assert.ok(result.trace.length > 0 && result.trace.every((s) => s.tMs >= result.measurement.startMs! && s.tMs <= result.measurement.endMs!));
}

test("a Python child's nested and overlapping windows: seconds from the lines' arrival, joules from the counter's trace", { skip: skipPython, timeout: 60_000 }, async () => {
  const { result, own } = await meterChild(["python3", "-c", PYTHON_CHILD]);
  checkWindows(result, own);
});

test("a Node child's windows through the library's helpers measure the same way", { skip: skipWithoutFake(), timeout: 60_000 }, async () => {
  const { result, own } = await meterChild([process.execPath, "--input-type=module", "-e", NODE_CHILD]);
  checkWindows(result, own);
});

test("malformed lines, unknown ends, duplicate begins and a window never ended are reported, never fatal", { timeout: 30_000 }, async () => {
  const lines = ["mark run=7", "begin a", "bogus line", "end nothing", "begin a", "mark nowhere k=v", "begin open", "mark k=", "end a", "begin", ""];
  const script = `printf '${lines.join("\\n")}' >&$WATTLAB_WINDOW_FD; sleep 0.05; exit 4`;
  const result = await meterCommand(["sh", "-c", script], { gpus: "none", cpu: "estimate", cpuTdpW: 10, stdio: "ignore" });
  assert.equal(result.exitCode, 4);
  assert.deepEqual(result.windows.map((w) => [w.name, w.closedBy, w.marks]), [
    ["a", "end", {}],
    ["open", "exit", { k: "" }],
  ]);
  assert.deepEqual(result.marks, { run: 7 });
  assert.deepEqual(result.windowWarnings, [
    'line 3 ("bogus line"): malformed, unknown verb "bogus": lines start with begin, end or mark; ignored',
    'line 4 ("end nothing"): no window "nothing" is open (open: "a"); this end is ignored',
    'line 5 ("begin a"): window "a" is already open (begun on line 2); this begin is ignored: end it first or pick another name',
    'line 6 ("mark nowhere k=v"): no window "nowhere" is open or was closed (open: "a"); these marks are ignored',
    'line 10 ("begin"): malformed, "begin" needs a window name, e.g. "begin decode"; ignored',
    'window "open" (begun on line 7) was never ended: measured up to the end of the run',
  ]);
  // The unclosed window is measured up to the exit: it ends with the command.
  const open = result.windows[1];
  assert.equal(open.endMs, result.measurement.endMs);
  assert.ok(open.seconds >= 0.04, `${open.seconds} s`);
});

test("a child that never writes gets the plain result, and --no-windows gives it no pipe", { timeout: 30_000 }, async () => {
  const probe = [process.execPath, "-e", `process.stdout.write(String(process.env.WATTLAB_WINDOW_FD ?? "absent"))`];
  const seen = async (windows: boolean): Promise<{ text: string; result: MeterCommandResult }> => {
    const out = join(mkdtempSync(join(tmpdir(), "wattlab-windows-")), "out.txt");
    const fd = openSync(out, "w");
    try {
      const result = await meterCommand(probe, { gpus: "none", cpu: "none", stdio: ["ignore", fd, "inherit"], windows });
      return { text: readFileSync(out, "utf8"), result };
    } finally {
      closeSync(fd);
    }
  };
  const offered = await seen(true);
  assert.equal(offered.text, "3", "the pipe follows stdin, stdout, stderr");
  assert.equal(offered.result.windowsUsed, false);
  assert.deepEqual([offered.result.windows, offered.result.windowWarnings, offered.result.marks], [[], [], {}]);
  assert.equal(offered.result.measurement.name, "command");
  assert.equal((await seen(false)).text, "absent");
});
