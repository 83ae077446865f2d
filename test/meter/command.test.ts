// meterCommand runs a child inside one window (the `wattlab meter -- cmd` path).
import { test } from "node:test";
import assert from "node:assert/strict";
import { meterCommand } from "../../src/meter/index.js";

test("a child process runs inside a window; its exit code comes back with the measurement", async () => {
  const result = await meterCommand([process.execPath, "-e", "const t = Date.now() + 150; while (Date.now() < t); process.exit(3)"], {
    gpus: "none",
    cpu: "estimate",
    cpuTdpW: 40,
    stdio: "ignore",
    windowName: "child",
  });
  assert.equal(result.exitCode, 3);
  assert.equal(result.signal, null);
  assert.equal(result.measurement.name, "child");
  assert.ok(result.measurement.seconds >= 0.15, `${result.measurement.seconds} s`);
  assert.equal(result.measurement.sources.cpu, "estimated");
  assert.ok(result.measurement.cpuEnergyJ > 0);
  assert.equal(result.description.cpu.source, "estimate");
});

test("a command that cannot start is an error naming it", async () => {
  await assert.rejects(meterCommand(["wattlab-no-such-command"], { gpus: "none", cpu: "none" }), /cannot run "wattlab-no-such-command" \(ENOENT\): check that it is installed and on PATH/);
  await assert.rejects(meterCommand([]), /needs a command/);
});
