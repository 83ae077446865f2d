// The helpers on the measured code's side: the library's (in process through meterFunction, or on the pipe)
// and python/wattlab_window.py; both do nothing without wattlab, and never write into a plain file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beginWindow, endWindow, markWindow, meterFunction, withWindow, windowsEnabled } from "../../src/meter/index.js";
import { packageRoot } from "../../src/version.js";

const root = packageRoot();
const clientUrl = pathToFileURL(join(root, "dist", "src", "meter", "window-client.js")).href;
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const skipPython = hasPython ? false : "python3 is not installed";
const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test("meterFunction measures a function's windows in process: nested, overlapping, async, marked", async () => {
  const own: Record<string, number> = {};
  const result = await meterFunction(async () => {
    const t0 = performance.now();
    await withWindow("outer", async () => {
      withWindow("inner", () => busy(60));
      markWindow({ items: 3 });
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    own.outer = (performance.now() - t0) / 1000;
    beginWindow("x");
    busy(30);
    beginWindow("y");
    endWindow("x");
    busy(30);
    endWindow("y");
    markWindow({ phase: "done" }, "x");
    markWindow({ run: 1 });
    return 42;
  }, { gpus: "none", cpu: "estimate", cpuTdpW: 20, sampleMs: 10 });
  assert.equal(result.value, 42);
  assert.equal(result.measurement.name, "function");
  assert.deepEqual(result.windowWarnings, []);
  assert.deepEqual(result.windows.map((w) => [w.name, w.parent, w.marks]), [
    ["outer", null, { items: 3 }],
    ["inner", "outer", {}],
    ["x", null, { phase: "done" }],
    ["y", "x", {}],
  ]);
  assert.deepEqual(result.marks, { run: 1 });
  const [outer, inner, x, y] = result.windows;
  // In process the window is stamped at the call: as close as the clock reads (room left for a GC pause).
  assert.ok(Math.abs(outer.seconds - own.outer) < 0.025, `outer ${outer.seconds} s vs ${own.outer} s`);
  assert.ok(inner.seconds >= 0.06 && inner.seconds < outer.seconds);
  assert.ok(x.startMs! < y.startMs! && y.startMs! < x.endMs! && x.endMs! < y.endMs!);
  assert.ok(outer.cpuEnergyJ >= inner.cpuEnergyJ && inner.cpuEnergyJ > 0);
  assert.equal(windowsEnabled(), false, "outside meterFunction the helpers are off again");
  beginWindow("after"); // a no-op, not an error
});

test("a throw inside withWindow ends the window and reaches the caller; meterFunction rethrows it", async () => {
  await assert.rejects(meterFunction(() => {
    withWindow("fails", () => {
      throw new Error("boom");
    });
  }, { gpus: "none", cpu: "none" }), /boom/);
  const nested = await meterFunction(async () => {
    try {
      withWindow("fails", () => {
        throw new Error("boom");
      });
    } catch {
      // handled by the code
    }
    return meterFunction(() => 1, { gpus: "none", cpu: "none" }).catch((error: Error) => error.message);
  }, { gpus: "none", cpu: "none" });
  assert.deepEqual(nested.windows.map((w) => [w.name, w.closedBy]), [["fails", "end"]]);
  assert.match(String(nested.value), /meterFunction is already running in this process/);
  assert.throws(() => beginWindow("two words"), /holds whitespace or "="/);
});

/** Runs `argv` with stdin from a file holding `content` and WATTLAB_WINDOW_FD=0; returns the file and stderr afterwards. */
function withPlainFileAsFd(argv: string[], content: string): { status: number | null; file: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-client-"));
  const path = join(dir, "data.txt");
  writeFileSync(path, content);
  const fd = openSync(path, "r+");
  try {
    const run = spawnSync(argv[0], argv.slice(1), { stdio: [fd, "pipe", "pipe"], env: { ...process.env, WATTLAB_WINDOW_FD: "0" }, encoding: "utf8" });
    return { status: run.status, file: readFileSync(path, "utf8"), stderr: run.stderr };
  } finally {
    closeSync(fd);
  }
}

test("the Node helpers do nothing without the variable, and refuse a descriptor that is a plain file", () => {
  const script = `import { beginWindow, endWindow, markWindow, windowsEnabled } from ${JSON.stringify(clientUrl)};
beginWindow("a"); markWindow({ n: 1 }); endWindow("a"); beginWindow("b"); endWindow("b");
process.stdout.write(String(windowsEnabled()));`;
  const env = { ...process.env };
  delete env.WATTLAB_WINDOW_FD;
  const silent = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
  assert.equal(silent.status, 0, silent.stderr);
  assert.equal(silent.stdout, "false");
  assert.equal(silent.stderr, "");
  const file = withPlainFileAsFd([process.execPath, "--input-type=module", "-e", script], "keep me\n");
  assert.equal(file.status, 0, file.stderr);
  assert.equal(file.file, "keep me\n");
  assert.equal(file.stderr, "wattlab windows: WATTLAB_WINDOW_FD=0 is not a pipe (inherited by a process that `wattlab meter` did not start?): windows are not reported\n");
});

test("the Python helper does nothing without the variable, refuses a plain file, and names bad input", { skip: skipPython }, () => {
  const script = `import sys; sys.path.insert(0, ${JSON.stringify(join(root, "python"))})
from wattlab_window import window, begin, end, mark, enabled
@window("decorated")
def f():
    return 7
with window("a") as w:
    w.mark(n=1, text="two words")
begin("b"); mark(flag=True); end("b")
assert f() == 7
for bad, call in [("two words", lambda: begin("two words")), ("", lambda: window("")), ("k", lambda: mark(**{"9k": 1})), ("nan", lambda: mark(x=float("nan"))), ("none", lambda: mark())]:
    try:
        call()
        raise SystemExit("no error for " + bad)
    except ValueError as error:
        print(error)
print(enabled())`;
  const env = { ...process.env };
  delete env.WATTLAB_WINDOW_FD;
  const silent = spawnSync("python3", ["-c", script], { env, encoding: "utf8" });
  assert.equal(silent.status, 0, silent.stderr);
  assert.equal(silent.stderr, "");
  assert.deepEqual(silent.stdout.trim().split("\n"), [
    `window name 'two words' holds whitespace or "=": use e.g. "_" instead`,
    "a window name must be a non-empty string, got ''",
    `mark key '9k' must start with a letter or "_" and hold only letters, digits, "_", "." or "-"`,
    "mark x=nan: a number must be finite",
    "mark needs at least one key=value, e.g. mark(tokens=128)",
    "False",
  ]);
  const file = withPlainFileAsFd(["python3", "-c", script], "keep me\n");
  assert.equal(file.status, 0, file.stderr);
  assert.equal(file.file, "keep me\n");
  assert.equal(file.stderr, "wattlab windows: WATTLAB_WINDOW_FD=0 is not a pipe (inherited by a process that `wattlab meter` did not start?): windows are not reported\n");
});
