// wattlab compare on two real sweeps that differ only in their CPU threads: every configuration set side by side,
// the estimate said, the difference named; a folder that is not there is one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/version.js";

const wattlab = (args: string[]) => spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 180_000 });

test("wattlab compare sets two sweeps side by side and names what their rows differ in", (t) => {
  const root = mkdtempSync(join(tmpdir(), "wattlab-compare-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const threads of ["1", "2"]) {
    const r = wattlab(["sweep", "--preset", "tiny-batch", "--dataset", "synthetic", "--batch-size", "1,2", "--threads", threads, "--idle-seconds", "0", "--no-progress", "--out", join(root, `t${threads}`)]);
    assert.equal(r.status, 0, r.stderr);
  }
  const c = wattlab(["compare", join(root, "t1"), join(root, "t2"), "--metric", "j_per_output_token,throughput_tokens_per_s"]);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^A: .*t1\/metrics\.jsonl \(4 completed rows\)\nB: .*t2\/metrics\.jsonl \(4 completed rows\)\n/);
  for (const metric of ["j_per_output_token", "throughput_tokens_per_s"]) {
    const section = c.stdout.split(`\n${metric}: B / A`)[1]?.split("\n\n")[0] ?? "";
    assert.equal(section.split("\n").filter((l) => /^ {2}tiny onnxruntime cpu fp32 synthetic 32\/16 b[12] /.test(l)).length, 2, c.stdout);
    assert.match(section, /the rows differ in: cpu_threads 1 → 2/);
    for (const l of section.split("\n").filter((x) => /^ {2}tiny /.test(x))) assert.match(l, / (B lower|B higher|undecided) +2\+2$/);
  }
  assert.match(c.stdout, /ESTIMATED: some j_per_output_token figures come from an estimate/);
  const gpu = wattlab(["compare", join(root, "t1"), join(root, "t2")]);
  assert.match(gpu.stdout, /no row of either side holds gpu_j_per_output_token/);
  const missing = wattlab(["compare", join(root, "t1"), join(root, "nope")]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `wattlab compare: ${join(root, "nope")} does not exist; name a folder a sweep wrote (it holds metrics.jsonl) or the file itself\n`);
});
