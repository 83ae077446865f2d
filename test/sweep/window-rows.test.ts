// Rows from a command's named windows (`wattlab meter --store DIR`): standard columns, marks as columns,
// one generation's share of a repeated window, read back like any sweep row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadResults } from "../../src/analysis/results.js";
import { meterCommand } from "../../src/meter/index.js";
import { rowQuantity } from "../../src/quantities.js";
import { parseCsv } from "../../src/sweep/csv.js";
import { RECORD_COLUMNS } from "../../src/sweep/record.js";
import { windowRows } from "../../src/sweep/window-rows.js";
import { packageRoot } from "../../src/version.js";
import { requireFake, skipWithoutFake } from "../meter/fake-nvml.js";

const POWER_W = 200;
const TICK_MS = 10;

const lines = [
  "mark engine=transformers model=llama-2-7b batch_size=4 variant=static",
  "begin prefill", "mark tokens_in=512", "end prefill",
  "begin decode", "mark tokens=1024 generations=4 attn=sdpa energy_total_j_measured=1", "end decode",
  "begin dangling",
];

test("each window the command ended becomes a row with the standard columns; marks fill them", { skip: skipWithoutFake(), timeout: 30_000 }, async () => {
  const fake = requireFake();
  fake.configure({ count: 1, power_w: POWER_W, tick_ms: TICK_MS });
  // sleep between the lines so each window spans some counter steps
  const script = lines.map((line) => `echo '${line}' >&$WATTLAB_WINDOW_FD; sleep 0.1`).join("; ");
  const argv = ["sh", "-c", script];
  const r = await meterCommand(argv, { nvmlLibraryPath: fake.libraryPath, gpus: "visible", cpu: "none", sampleMs: 20, stdio: "ignore" });
  const { rows, skipped } = windowRows({ argv, windows: r.windows, marks: r.marks, clockZeroMs: r.clockZeroMs, description: r.description, idle: r.idle });
  assert.deepEqual(skipped, ['window "dangling" was never ended']);
  assert.equal(rows.length, 2);
  const [prefill, decode] = rows;
  for (const row of rows) {
    for (const column of RECORD_COLUMNS) assert.ok(column in row, `${column} is present`);
    assert.equal(row.state, "completed");
    assert.equal(row.sweep, "meter");
    assert.deepEqual([row.engine, row.model, row.batch_size], ["transformers", "llama-2-7b", 4], "marks sent with no window open apply to every row");
    assert.equal((row as Record<string, unknown>).mark_variant, "static");
    assert.equal((row as Record<string, unknown>).command, argv.join(" "));
    assert.equal(row.energy_source, "gpu:counter cpu:none dram:none");
    assert.equal(row.gpu_model, "Fake NVML GPU 0");
  }
  assert.notEqual(prefill.key, decode.key);
  assert.equal((prefill as Record<string, unknown>).window, "prefill");

  const windows = Object.fromEntries(r.windows.map((w) => [w.name, w]));
  // prefill: one generation, input tokens only
  assert.equal(prefill.tokens_in, 512);
  assert.equal(prefill.tokens_out, null);
  assert.equal(prefill.latency_total_s, windows.prefill.seconds);
  assert.equal(prefill.energy_total_j_measured, windows.prefill.totalEnergyJ);
  assert.equal(prefill.prefill_j_per_input_token_measured, windows.prefill.totalEnergyJ / 512);
  // decode: 4 generations in one window → one generation's share; J/token from the whole window
  const d = windows.decode;
  assert.deepEqual([decode.measurement, decode.generations, decode.generation_window_s], ["repeated", 4, d.seconds]);
  assert.equal(decode.tokens_out, 256);
  assert.equal(decode.latency_total_s, d.seconds / 4);
  assert.equal(decode.gpu_energy_j_measured, d.gpuEnergyJ / 4);
  assert.equal(decode.j_per_output_token_measured, d.totalEnergyJ / 1024);
  assert.equal(decode.throughput_tokens_per_s, 1024 / d.seconds);
  assert.equal((decode as Record<string, unknown>).mark_attn, "sdpa");
  // A mark cannot pose as a measurement: it lands in its own column.
  assert.equal((decode as Record<string, unknown>).mark_energy_total_j_measured, 1);
  assert.equal(decode.energy_total_j_measured, d.totalEnergyJ / 4);
  // The counter's known trace: 200 W over the window, within one counter step (plus 2 ms of scheduling).
  assert.ok(Math.abs(d.gpuEnergyJ - POWER_W * d.seconds) <= POWER_W * (TICK_MS + 2) / 1000, `${d.gpuEnergyJ} J over ${d.seconds} s`);
});

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const built = existsSync(join(packageRoot(), "dist", "src", "cli", "main.js"));

test("wattlab meter --store DIR appends the rows, writes the CSV, and the lab reads them like sweep rows", {
  skip: !built ? "dist/ is not built" : hasPython ? false : "python3 is not installed", timeout: 120_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-meter-store-"));
  const child = [
    `import sys, time; sys.path.insert(0, ${JSON.stringify(join(packageRoot(), "python"))})`,
    "from wattlab_window import window, mark",
    "mark(model='toy')",
    "with window('decode'):\n    time.sleep(0.1)\n    mark(tokens=50)",
  ].join("\n");
  for (let run = 0; run < 2; run++) {
    const out = spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), "meter", "--gpus", "none", "--store", dir, "--", "python3", "-c", child], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, new RegExp(`stored 1 window row in ${join(dir, "metrics.jsonl").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
  }
  const rows = loadResults(join(dir, "metrics.jsonl"));
  assert.equal(rows.length, 2, "a second run appends");
  for (const row of rows) {
    assert.deepEqual([row.engine, row.model, row.tokens_out], ["command", "toy", 50]);
    const jPerToken = rowQuantity(row, "j_per_output_token");
    const energy = rowQuantity(row, "energy_j");
    assert.ok(jPerToken.value !== null && energy.value !== null);
    assert.equal(jPerToken.value, energy.value / 50);
  }
  const csv = parseCsv(readFileSync(join(dir, "metrics.csv"), "utf8"));
  assert.equal(csv.length, 3);
  assert.ok(csv[0].includes("window") && csv[0].includes("command"));
});
