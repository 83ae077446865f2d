// A meter opened from `node --input-type=module -e …` (a one-liner, a notebook's shell cell) starts its sampler thread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../src/version.js";

test("the sampler thread starts under an --input-type=module parent", () => {
  const meter = pathToFileURL(join(packageRoot(), "dist", "src", "meter", "index.js")).href;
  const code = `import { Meter } from ${JSON.stringify(meter)}; const m = await Meter.open({ gpus: "none" }); await m.begin("x"); const w = await m.end("x"); console.log("window", typeof w.totalEnergyJ); await m.close();`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /window number/);
});
