// Named windows: nested and overlapping windows, errors naming the key, cancel and restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter, MeterWindowError } from "../../src/meter/index.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test("nested and overlapping windows each measure their own span; the outer one holds the inner", async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "estimate", cpuTdpW: 60, sampleMs: 10 });
  try {
    await meter.begin("outer");
    await meter.begin("inner");
    await sleep(60);
    await meter.begin("overlap");
    const inner = await meter.end("inner");
    await sleep(40);
    const outer = await meter.end("outer");
    const overlap = await meter.end("overlap");
    assert.ok(outer.startMs! <= inner.startMs! && inner.endMs! <= outer.endMs!);
    assert.ok(overlap.startMs! < inner.endMs! && overlap.endMs! > outer.endMs!);
    assert.ok(outer.seconds > inner.seconds);
    // Both integrate the same cumulative series, so containment holds exactly for energy too.
    assert.ok(outer.cpuEnergyJ >= inner.cpuEnergyJ, `${outer.cpuEnergyJ} J < ${inner.cpuEnergyJ} J`);
    assert.deepEqual(meter.openWindows(), []);
  } finally {
    await meter.close();
  }
});

test("duplicate begin and unknown end are MeterWindowErrors naming the key and the open windows", async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "none" });
  try {
    await meter.begin("prefill");
    await assert.rejects(meter.begin("prefill"), (error: unknown) => error instanceof MeterWindowError && error.key === "prefill" && /window "prefill" is already open \(open: "prefill"\)/.test(error.message));
    await assert.rejects(meter.end("decode"), (error: unknown) => error instanceof MeterWindowError && error.key === "decode" && /cannot end window "decode": it is not open \(open: "prefill"\)/.test(error.message));
    // Two begins of one name in the same tick: the second fails synchronously, before any reading.
    const both = await Promise.allSettled([meter.begin("race"), meter.begin("race")]);
    assert.deepEqual(both.map((result) => result.status), ["fulfilled", "rejected"]);
    await meter.end("race");
    await meter.end("prefill");
    await assert.rejects(meter.end("prefill"), /cannot end window "prefill": it is not open \(none open\)/);
    await assert.rejects(meter.begin(""), /window name must be a non-empty string/);
  } finally {
    await meter.close();
  }
});

test("cancel forgets one window; restart drops all (a crashed notebook cell) and names may be reused", async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "none" });
  try {
    await meter.begin("a");
    await meter.begin("b");
    await meter.begin("c");
    meter.cancel("b");
    assert.deepEqual(meter.openWindows(), ["a", "c"]);
    assert.throws(() => meter.cancel("b"), /cannot cancel window "b": it is not open/);
    assert.deepEqual(meter.restart(), ["a", "c"]);
    assert.deepEqual(meter.openWindows(), []);
    await assert.rejects(meter.end("a"), /dropped by restart\(\)/);
    await meter.begin("a");
    const window = await meter.end("a");
    assert.equal(window.name, "a");
    assert.equal(window.sources.cpu, "none");
  } finally {
    await meter.close();
  }
});

test("a closed meter refuses windows and says how to get a new one", async () => {
  const meter = await Meter.open({ gpus: "none", cpu: "none" });
  await meter.close();
  await meter.close();
  await assert.rejects(meter.begin("late"), /the meter is closed: open a new one with Meter.open\(\)/);
});

test("bad options are refused with the accepted values", async () => {
  await assert.rejects(Meter.open({ cpu: "turbo" as never }), /Unsupported cpu "turbo". Should be one of: rapl, estimate, auto, none/);
  await assert.rejects(Meter.open({ gpus: [-1] }), /Unsupported gpus \[-1\]/);
  await assert.rejects(Meter.open({ sampleMs: 0 }), /sampleMs must be ≥ 1 ms/);
});
