// The input-length finding reads energy per input token from the repeated-prefill window when every
// compared row has it, and from the run's own prefill window otherwise (never a mix of the two).
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedFindings } from "../../src/analysis/findings.js";
import type { RunRecord } from "../../src/sweep/record.js";
import { row } from "../sweep/support/rows.js";

const base = { model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "alpaca", output_length: 16, batch_size: 1 };

/** Two repetitions at each input length; window figures flat (one counter tick), repeated ones falling. */
function rows(withRepeated: (inputLength: number, rep: number) => boolean): RunRecord[] {
  const out: RunRecord[] = [];
  const perToken: Record<number, number> = { 128: 0.1, 512: 0.03, 1024: 0.018 };
  for (const input_length of [128, 512, 1024]) {
    for (const rep of [0, 1]) {
      out.push(row(`k${input_length}-${rep}`, "completed", {
        ...base, input_length, repetition: rep, energy_total_j_measured: 100, tokens_out: 16,
        prefill_j_per_input_token_measured: 35 / input_length,
        prefill_j_per_input_token_repeated_measured: withRepeated(input_length, rep) ? perToken[input_length] : null,
      }));
    }
  }
  return out;
}

const inputFindings = (rs: RunRecord[]) => seedFindings(rs).filter((f) => f.compared.startsWith("input_length"));

test("with the repeated figure in every row, the finding uses it", () => {
  const [first, second] = inputFindings(rows(() => true));
  assert.match(first.metric, /repeated prefills/);
  assert.ok(Math.abs(first.measured! - (0.03 - 0.1) / 0.1) < 1e-12);
  assert.ok(Math.abs(second.measured! - (0.018 - 0.03) / 0.03) < 1e-12);
  assert.equal(first.verdict, "holds", "both repetitions fall: the interval is below no change");
});

test("when a compared row lacks it, that comparison falls back to the window figure", () => {
  const [first, second] = inputFindings(rows((n, rep) => !(n === 1024 && rep === 1)));
  assert.match(first.metric, /repeated prefills/);
  assert.match(second.metric, /one prefill window/);
  assert.ok(Math.abs(second.measured! - (35 / 1024 - 35 / 512) / (35 / 512)) < 1e-12);
});
