// Without RAPL the CPU estimate covers this run, not the machine: TDP per logical CPU × the CPU time of this process
// and its children (a counter in 10 ms ticks, labelled estimated). A busy process outside the tree is not counted,
// and the window says how busy the rest of the machine was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { Meter } from "../../src/meter/index.js";
import { ProcessTreeCpu, readProcessTicks } from "../../src/meter/devices/cpu-estimate.js";

const linux = existsSync("/proc/self/stat") ? false : "no /proc on this system";
const SPIN = "const until = Date.now() + Number(process.argv[1]); while (Date.now() < until) {}";
/** Spins until it has used argv[1] ms of CPU time itself, however busy the machine is. */
const SPIN_CPU = "const s = process.cpuUsage(); for (let u = process.cpuUsage(s); u.user + u.system < Number(process.argv[1]) * 1000; u = process.cpuUsage(s)) {}";

test("/proc/<pid>/stat: a command name with spaces and parentheses; utime + stime + cutime + cstime", () => {
  const line = "4242 (node (worker) x) S 17 4242 17 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 11 0 12345 0 0";
  assert.deepEqual(readProcessTicks(line), { ppid: 17, ticks: 250 + 50 + 30 + 20 });
  assert.equal(readProcessTicks("garbage"), null);
});

test("a child's CPU time counts; a process outside the tree does not", { skip: linux }, async () => {
  const tree = new ProcessTreeCpu(process.pid);
  const before = tree.seconds(true);
  // outside the tree: the shell starts the spinner in the background and exits, so init adopts it
  spawnSync("sh", ["-c", `"${process.execPath}" -e '${SPIN}' 700 >/dev/null 2>&1 &`]);
  await new Promise((r) => setTimeout(r, 750));
  const afterOutsider = tree.seconds(true);
  assert.ok(afterOutsider - before < 0.25, `an adopted spinner's 0.7 s counted as ours: +${(afterOutsider - before).toFixed(2)} s`);
  // inside the tree: a child using 0.6 s of CPU, seen live (rescans) and after it is reaped (cutime)
  const child = spawn(process.execPath, ["-e", SPIN_CPU, "600"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 450));
  const live = tree.seconds(true) - afterOutsider;
  await new Promise((r) => child.on("exit", r));
  const reaped = tree.seconds(true) - afterOutsider;
  assert.ok(live > 0.05, `a live child's CPU time: +${live.toFixed(2)} s`);
  assert.ok(reaped > 0.58 && reaped < 1.2, `the child's 0.6 s of CPU (and its start-up) after it exited: +${reaped.toFixed(2)} s`);
});

test("the meter's estimate: a counter labelled estimated, TDP/CPU × this process's CPU seconds; the busy rest of the machine is reported", { skip: linux }, async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "estimate", cpuTdpW: 100, sampleMs: 20 });
  try {
    const cpu = meter.describe().cpu;
    assert.equal(cpu.estimateScope, "process");
    assert.deepEqual(meter.resolution().channels.map((c) => [c.key, c.updateMs, c.basis]), [["cpu", 10, "nominal"]]);
    const wPerCpu = 100 / cpus().length;
    // outside the tree (adopted by init once the shell exits), spinning through the whole window
    spawnSync("sh", ["-c", `"${process.execPath}" -e '${SPIN}' 900 >/dev/null 2>&1 &`]);
    await new Promise((r) => setTimeout(r, 150));
    const own0 = process.cpuUsage();
    await meter.begin("busy");
    const until = Date.now() + 400;
    while (Date.now() < until) { /* spin on this thread: ~0.4 CPU s of our own */ }
    const w = await meter.end("busy");
    const own = process.cpuUsage(own0);
    await new Promise((r) => setTimeout(r, 500)); // let the spinner finish before the next test
    const ownS = (own.user + own.system) / 1e6;
    assert.equal(w.sources.cpu, "estimated");
    // the window holds our CPU time (this thread, the sampler thread) at W per CPU, to a few clock ticks
    assert.ok(Math.abs(w.cpuEnergyJ - wPerCpu * ownS) <= wPerCpu * 0.06 + 0.05 * wPerCpu * ownS, `${w.cpuEnergyJ.toFixed(3)} J vs ${(wPerCpu * ownS).toFixed(3)} J`);
    assert.ok(w.cpuEnergyJ <= wPerCpu * w.seconds * 2, "about one CPU's worth at most, not the spinner's too");
    assert.ok(w.peakPowerW !== null && w.peakPowerW <= 100, `the estimate's samples stay within the TDP: peak ${w.peakPowerW} W`);
    assert.ok(meter.trace(w.startMs, w.endMs).every((p) => (p.watts.cpu ?? 0) <= 100));
    assert.ok(typeof w.machineBusyShare === "number" && w.machineBusyShare > 0.25 / (cpus().length / 2),
      `the outside spinner makes the machine busy: ${w.machineBusyShare}`);
  } finally {
    await meter.close();
  }
});
