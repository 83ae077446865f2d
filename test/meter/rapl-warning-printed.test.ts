// Printed without a sink of the caller's, the RAPL warning is one short line per process pointing at `wattlab info`,
// which keeps the reason and the fix. A real child process opens two meters on a host with no RAPL counters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../src/version.js";

test("the RAPL warning prints once per process, in one line that points at wattlab info", (t) => {
  const meter = pathToFileURL(join(packageRoot(), "dist", "src", "meter", "index.js")).href;
  const code = `const { Meter } = await import(${JSON.stringify(meter)});
    for (let i = 0; i < 3; i++) {
      const m = await Meter.open({ gpus: "none", cpu: "auto", powercapRoot: "/nonexistent/powercap", cpuTdpW: 20 });
      if (i === 0) console.log(JSON.stringify(m.describe().warnings));
      await m.close();
    }`;
  // a script file, not -e: the meter's sampler thread would inherit --input-type and refuse it
  const dir = mkdtempSync(join(tmpdir(), "wattlab-rapl-line-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "meters.mjs"), code);
  const r = spawnSync(process.execPath, [join(dir, "meters.mjs")], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.deepEqual(lines, ["wattlab: CPU energy is estimated here (no readable RAPL counter); `wattlab info` says why and how to measure it"]);
  // the meter's description keeps the whole reason for wattlab info and callers
  const [full] = JSON.parse(r.stdout) as string[];
  assert.match(full, /^RAPL unavailable: no \/nonexistent\/powercap .*estimated as .*\(20 W, cpuTdpW option\)/);
});
