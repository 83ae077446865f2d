// Meter.begin/end with a time: the window is dated when its event happened (a line's arrival), not when
// the sampler thread got round to reading the devices; the readings are moved back to that time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Meter } from "../../src/meter/index.js";
import { requireFake, skipWithoutFake, sleep } from "./fake-nvml.js";

test("a window begun and ended at given times spans exactly them, and its joules are the counter's over that span", { skip: skipWithoutFake() }, async () => {
  const fake = requireFake();
  // Every device call takes 5 ms: a reading always lands after the event it answers.
  fake.configure({ count: 1, power_w: 100, call_delay_us: 5000 });
  const meter = await Meter.open({ nvmlLibraryPath: fake.libraryPath, gpus: "visible", cpu: "none", sampleMs: 50 });
  try {
    // The window began 200 ms before the meter is told (a late report), and ends when told.
    const beganMs = meter.nowMs() - 200;
    await meter.begin("late", { atMs: beganMs });
    await sleep(100);
    const endedMs = meter.nowMs();
    const window = await meter.end("late", { atMs: endedMs });
    assert.equal(window.startMs, beganMs);
    assert.equal(window.endMs, endedMs);
    assert.equal(window.seconds, (endedMs - beganMs) / 1000);
    assert.ok(window.seconds >= 0.3);
    // Read only from the begin reading onwards, the counter would give ~100 ms of energy (10 J), not ~300 ms (30 J).
    // Room: 20 ms of 100 W, for the 5 ms device calls running late on a busy machine (a call's sleep overshoots).
    assert.equal(window.gpus[0].source, "counter");
    const expectedJ = 100 * window.seconds;
    assert.ok(Math.abs(window.gpus[0].energyJ - expectedJ) < 100 * 0.020, `${window.gpus[0].energyJ} J vs ${expectedJ} J (100 W × seconds)`);

    // A time in the future counts as now.
    const before = meter.nowMs();
    await meter.begin("future", { atMs: before + 60_000 });
    const future = await meter.end("future");
    assert.ok(future.startMs! >= before && future.startMs! <= meter.nowMs(), `began at ${future.startMs} ms`);
  } finally {
    await meter.close();
  }
});
