// Without fixedLength a row stops at its first EOS (kept in its output); the others go on; generation
// ends when every row is done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { openOnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("EOS mode stops each row at its EOS and stops when all rows are done", { skip: fixture.skip }, async () => {
  const prompts = [[1, 15043, 3186, 29892], [1, 450, 4996]];
  const probe = await openOnnxRuntimeEngine({ modelDir: fixture.path });
  let full: number[][];
  try {
    full = (await probe.generate({ promptIds: prompts, maxNewTokens: 10, fixedLength: true })).outputIds;
  } finally {
    await probe.dispose();
  }
  // Row 0 meets its stop token at index 2, row 1 at index 5 (tokens taken from the run itself).
  const stops = [full[0][2], full[1][5]];
  const engine = await openOnnxRuntimeEngine({ modelDir: fixture.path, eosTokenIds: stops });
  try {
    const result = await engine.generate({ promptIds: prompts, maxNewTokens: 10, fixedLength: false });
    const expected = full.map((row) => row.slice(0, row.findIndex((t) => stops.includes(t)) + 1));
    assert.deepEqual(result.outputIds, expected);
    assert.equal(result.outputTokens, expected[0].length + expected[1].length);
    const longest = Math.max(...expected.map((r) => r.length));
    assert.equal(result.decodeStepS.length, longest - 1, "no decode step after the last row is done");
  } finally {
    await engine.dispose();
  }
});
