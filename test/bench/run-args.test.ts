// The options of `npm run bench`: --quick, --json FILE, --only LIST; unknown ones fail with the usage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BENCH_SECTIONS, parseBenchArgs } from "../../bench/run-args.js";

test("no options: every section, full run, no JSON file", () => {
  assert.deepEqual(parseBenchArgs([]), { quick: false, jsonPath: undefined, sections: [...BENCH_SECTIONS], help: false });
});

test("--quick and --json FILE are read", () => {
  const args = parseBenchArgs(["--quick", "--json", "out/bench.json"]);
  assert.equal(args.quick, true);
  assert.equal(args.jsonPath, "out/bench.json");
});

test("--only keeps the named sections in their fixed order", () => {
  assert.deepEqual(parseBenchArgs(["--only", "build,engine"]).sections, ["engine", "build"]);
});

test("an unknown section in --only is an error naming it and the valid ones", () => {
  assert.throws(() => parseBenchArgs(["--only", "engine,gpu"]), /unknown section "gpu".*engine, llamacpp, meter, build, graph/);
});

test("an unknown flag or a --json without a file fails with the usage", () => {
  assert.throws(() => parseBenchArgs(["--fast"]), /--fast[\s\S]*usage:/);
  assert.throws(() => parseBenchArgs(["--json"]), /--json[\s\S]*usage:/);
});
