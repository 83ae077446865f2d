// `wattlab meter` from the command line: the printed Python helper, a child's windows in the JSON and text
// output, and the plain output for a child that names none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

const root = packageRoot();
const cli = join(root, "bin", "wattlab.js");
const built = existsSync(join(root, "dist", "src", "cli", "main.js"));
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const skip = !built ? "dist/ is not built (npm test builds it first)" : hasPython ? false : "python3 is not installed";

function wattlab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The helper as `--print-python-helper` prints it, saved where the child imports it from. */
function printedHelper(): string {
  const printed = wattlab(["meter", "--print-python-helper"]);
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal(printed.stdout, readFileSync(join(root, "python", "wattlab_window.py"), "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "wattlab-helper-"));
  writeFileSync(join(dir, "wattlab_window.py"), printed.stdout);
  return dir;
}

const SLEEPS_S = { first: 0.2, second: 0.3 };

/** Two windows around sleeps; the child prints how long each sleep really took by its own clock on stderr. */
function twoWindows(helperDir: string): string {
  return [
    `import json, sys, time; sys.path.insert(0, ${JSON.stringify(helperDir)})`,
    "from wattlab_window import window",
    "own = {}",
    `with window("first") as w:\n    t = time.monotonic(); time.sleep(${SLEEPS_S.first}); own["first"] = time.monotonic() - t\n    w.mark(tokens=16)`,
    `with window("second"):\n    t = time.monotonic(); time.sleep(${SLEEPS_S.second}); own["second"] = time.monotonic() - t`,
    `print("slept " + json.dumps(own), file=sys.stderr)`,
  ].join("\n");
}

interface Attempt {
  problems: string[];
  lines: string[];
}

/** One run of the CLI; what was off against the 10 ms bound, and what was seen. */
function timedRun(helperDir: string): Attempt {
  const run = wattlab(["meter", "--json", "--gpus", "none", "--", "python3", "-c", twoWindows(helperDir)]);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { windows: { name: string; seconds: number; marks: object; totalEnergyJ: number; sources: object }[]; windowWarnings: string[] };
  const slept = JSON.parse(run.stderr.split("\n").find((line) => line.startsWith("slept "))!.slice(6)) as Record<string, number>;
  assert.deepEqual(out.windows.map((w) => w.name), ["first", "second"]);
  assert.deepEqual(out.windowWarnings, []);
  assert.deepEqual(out.windows[0].marks, { tokens: 16 });
  const problems: string[] = [];
  const lines: string[] = [];
  for (const w of out.windows) {
    assert.ok(w.totalEnergyJ >= 0 && "cpu" in w.sources);
    const asked = SLEEPS_S[w.name as keyof typeof SLEEPS_S];
    const own = slept[w.name];
    lines.push(`${w.name}: window ${w.seconds.toFixed(4)} s, sleep(${asked}) took ${own.toFixed(4)} s by the child's clock`);
    // Within 10 ms of the sleep; a sleep that itself ran late (the child's own clock says so) widens that by its
    // lateness only, and the window stays within 10 ms of what the child measured.
    if (Math.abs(w.seconds - asked) >= 0.010 + Math.max(0, own - asked)) problems.push(`${w.name}: ${w.seconds} s around a ${asked} s sleep that took ${own} s`);
    if (Math.abs(w.seconds - own) >= 0.010) problems.push(`${w.name}: ${w.seconds} s vs ${own} s by the child's clock`);
  }
  return { problems, lines };
}

test("wattlab meter --json -- python3 -c …: both windows, seconds within 10 ms of the sleeps", { skip, timeout: 180_000 }, (t) => {
  // A shared machine under load can stall any process for ~10 ms now and then: the best of three runs counts.
  const helper = printedHelper();
  const attempts: Attempt[] = [];
  for (let i = 0; i < 3; i++) {
    const attempt = timedRun(helper);
    attempts.push(attempt);
    t.diagnostic(`run ${i + 1}: ${attempt.lines.join("; ")}`);
    if (attempt.problems.length === 0) break;
  }
  assert.ok(attempts.some((a) => a.problems.length === 0), attempts.map((a) => a.problems.join("; ")).join(" | "));
});

test("the text output lists the windows in a table after the whole command", { skip, timeout: 120_000 }, () => {
  const run = wattlab(["meter", "--gpus", "none", "--", "python3", "-c", `${twoWindows(printedHelper())}\nprint("begin unended", file=open(int(__import__("os").environ["WATTLAB_WINDOW_FD"]), "w"))`]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stderr.split("\n");
  const header = lines.findIndex((line) => /^ {4}name +seconds +energy J +cpu J +dram J +avg W +updates +sources +marks$/.test(line));
  assert.ok(header > 0, run.stderr);
  assert.match(lines[header - 1], /^ {2}windows {5}3 named by the command/);
  assert.match(lines[header + 1], /^ {4}first +0\.\d{3} +\d+\.\d{3} .* gpu:none cpu:\w+ dram:\w+ +tokens=16$/);
  assert.match(lines[header + 2], /^ {4}second +0\.\d{3} /);
  assert.match(lines[header + 3], /^ {4}unended \(never ended\) /);
  assert.match(run.stderr, /warnings {4}1 about the window lines\n {4}window "unended" \(begun on line 6\) was never ended: measured up to the end of the run/);
});

test("the text output says how many counter updates the run spans, and flags a run too short for the counter", { skip: built ? false : "dist/ is not built", timeout: 120_000 }, () => {
  const short = wattlab(["meter", "--gpus", "none", "--", "true"]);
  assert.equal(short.status, 0, short.stderr);
  assert.match(short.stderr, /\n {2}resolution {2}[\d.]+ updates of the slowest energy counter: BELOW its resolution \(fewer than 10\), so these figures read the counter's steps as much as the work; meter a longer run, or repeat the work inside one window\n/);
  const long = wattlab(["meter", "--gpus", "none", "--", "sleep", "0.5"]);
  assert.equal(long.status, 0, long.stderr);
  assert.match(long.stderr, /\n {2}resolution {2}\d+ updates of the slowest energy counter\n/);
});

test("a child that names no window gets the plain output, text and JSON", { skip: built ? false : "dist/ is not built", timeout: 120_000 }, () => {
  const json = wattlab(["meter", "--json", "--gpus", "none", "--", process.execPath, "-e", "setTimeout(() => {}, 50)"]);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object), ["argv", "exitCode", "signal", "measurement", "idle"]);
  const text = wattlab(["meter", "--gpus", "none", "--", process.execPath, "-e", "process.exitCode = 2"]);
  assert.equal(text.status, 2);
  assert.match(text.stderr, /→ exit 2\n {2}time /);
  assert.doesNotMatch(text.stderr, /windows|warnings/);
});
