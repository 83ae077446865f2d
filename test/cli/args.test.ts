// Options with a fixed set of values are checked where they are parsed: any other value is one line naming the option,
// the values allowed and what was given, before the command does anything; help shows the values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { commandHelp, get, parseArgs, UsageError, type CommandSpec } from "../../src/cli/args.js";
import { buildModelCommand } from "../../src/cli/commands/build-model.js";
import { generateCommand } from "../../src/cli/commands/generate.js";
import { quantizeCommand } from "../../src/cli/commands/quantize.js";
import { packageRoot } from "../../src/version.js";

function wattlab(args: string[]) {
  return spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args], { encoding: "utf8", timeout: 120_000 });
}

/** Each command line exits 2 with exactly its one line on stderr and nothing on stdout. */
function refusedInOneLine(cases: readonly (readonly [readonly string[], string])[]): void {
  for (const [args, line] of cases) {
    const r = wattlab([...args]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr, line + "\n");
    assert.equal(r.stdout, "");
  }
}

test("a value outside an option's choices is one line from the CLI, exit 2, before any work", () => {
  refusedInOneLine([
    [["generate", "--kv-cache", "gpu"], 'wattlab generate: --kv-cache must be device or host, got "gpu"'],
    [["build-model", "--preset", "tiny", "--out", "never-written", "--block-size", "48"], 'wattlab build-model: --block-size must be 16, 32, 64, 128 or 256, got "48"'],
    [["quantize", "--in", "a", "--out", "b", "--block-size", "24"], 'wattlab quantize: --block-size must be 16, 32, 64, 128 or 256, got "24"'],
    [["quantize", "--in", "a", "--out", "b", "--accuracy-level", "7"], 'wattlab quantize: --accuracy-level must be 0, 1, 2, 3 or 4, got "7"'],
  ]);
});

test("a number outside an option's declared bounds is one line from the CLI, exit 2, before any work", () => {
  refusedInOneLine([
    [["generate", "--threads", "2.5"], 'wattlab generate: --threads must be a whole number ≥ 1, got "2.5"'],
    [["generate", "--warmup", "-1"], 'wattlab generate: --warmup must be a whole number ≥ 0, got "-1"'],
    [["generate", "--input-tokens", "0"], 'wattlab generate: --input-tokens must be a whole number ≥ 1, got "0"'],
    [["sweep", "--preset", "tiny-batch", "--out", "never-written", "--threads", "0"], 'wattlab sweep: --threads must be a whole number ≥ 1, got "0"'],
    [["sweep", "--preset", "tiny-batch", "--out", "never-written", "--idle-seconds", "-4"], 'wattlab sweep: --idle-seconds must be a number ≥ 0, got "-4"'],
    [["meter", "--sample-ms", "0", "--", "true"], 'wattlab meter: --sample-ms must be a number ≥ 1, got "0"'],
    [["meter", "--cpu-tdp-w=-5", "--", "true"], 'wattlab meter: --cpu-tdp-w must be a number > 0, got "-5"'],
    [["main", "--reps", "0"], 'wattlab main: --reps must be a whole number ≥ 1, got "0"'],
    [["run", "--timeout", "-1", "never-read.ipynb"], 'wattlab run: --timeout must be a number > 0, got "-1"'],
    [["profile", "--top", "0"], 'wattlab profile: --top must be a whole number ≥ 1, got "0"'],
    [["build-model", "--preset", "tiny", "--out", "never-written", "--seed", "1.5"], 'wattlab build-model: --seed must be a whole number, got "1.5"'],
    [["serve", "--port", "70000"], 'wattlab serve: --port must be a whole number ≥ 0 and ≤ 65535, got "70000"'],
    [["quantize", "--in", "a", "--out", "b", "--bits", "3"], 'wattlab quantize: --bits must be 4 or 8, got "3"'],
  ]);
});

test("numbers within the bounds parse, and help states the bounds", () => {
  const spec: CommandSpec = {
    name: "demo", summary: "s", usage: "u", run: async () => {},
    options: [
      { name: "threads", kind: "number", help: "cpu threads", whole: true, min: 1 },
      { name: "share", kind: "number", help: "a share", above: 0, max: 1 },
    ],
  };
  assert.deepEqual(parseArgs(spec, ["--threads", "4", "--share=1"]).options, { threads: 4, share: 1 });
  assert.throws(() => parseArgs(spec, ["--share", "0"]), /--share must be a number > 0 and ≤ 1, got "0"/);
  const help = commandHelp(spec);
  assert.match(help, /cpu threads \[a whole number ≥ 1\]/);
  assert.match(help, /a share \[a number > 0 and ≤ 1\]/);
});

test("values among the choices parse, typed, with the declared defaults", () => {
  assert.equal(get.choice(parseArgs(generateCommand, ["--kv-cache", "host"]), "kv-cache", ["device", "host"] as const), "host");
  assert.equal(get.choice(parseArgs(generateCommand, []), "kv-cache", ["device", "host"] as const), "device");
  assert.equal(get.choice(parseArgs(buildModelCommand, ["--block-size=128"]), "block-size", [16, 32, 64, 128, 256]), 128);
  const q = parseArgs(quantizeCommand, ["--accuracy-level", "4"]);
  assert.deepEqual([get.choice(q, "accuracy-level", [0, 1, 2, 3, 4]), get.choice(q, "block-size", [16, 32, 64, 128, 256])], [4, 32]);
  assert.throws(() => get.choice(q, "accuracy-level", [0, 1]), /--accuracy-level must be 0 or 1, got "4"/, "a getter asked with other choices refuses too");
});

test("list options check each part, and help shows the choices", () => {
  const spec: CommandSpec = {
    name: "demo", summary: "s", usage: "u", run: async () => {},
    options: [{ name: "engines", kind: "list", help: "which", choices: ["onnxruntime", "llama.cpp"] }],
  };
  assert.deepEqual(parseArgs(spec, ["--engines", "onnxruntime,llama.cpp"]).options.engines, ["onnxruntime", "llama.cpp"]);
  assert.throws(() => parseArgs(spec, ["--engines", "onnxruntime,vllm"]), (e: unknown) =>
    e instanceof UsageError && e.message === 'wattlab demo: --engines must be onnxruntime or llama.cpp, got "vllm"');
  assert.match(commandHelp(spec), /--engines <onnxruntime\|llama\.cpp>\s+which/);
  assert.match(commandHelp(generateCommand), /--kv-cache <device\|host>/);
});
