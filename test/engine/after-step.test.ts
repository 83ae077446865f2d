// GenerationHooks.afterStep: called after the prefill and after every decode step with each row's new token (what a
// server streams), and "stop" ends the generation after that step, afterDecode still called. Both engines, on the
// tiny preset wattlab builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngine } from "../../src/engine/load.js";
import type { EngineName } from "../../src/engine/types.js";
import { resolveModel } from "../../src/lab/models.js";

for (const name of ["onnxruntime", "llama.cpp"] as EngineName[]) {
  test(`${name}: afterStep sees every row's token of each step; "stop" ends the generation there`, async (t) => {
    const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-after-step-"));
    t.after(() => rmSync(modelsDir, { recursive: true, force: true }));
    const { dir } = await resolveModel("tiny", "fp32", name, { modelsDir });
    const { engine } = await openEngine({ engine: name, modelDir: dir, threads: 1 });
    t.after(() => engine.dispose());
    const promptIds = [[1, 17, 42, 99, 7], [1, 300]];

    const steps: (number | null)[][] = [];
    const events: string[] = [];
    const full = await engine.generate({ promptIds, maxNewTokens: 6, fixedLength: true }, {
      afterPrefill: () => { events.push("afterPrefill"); },
      afterStep: (tokens) => { steps.push([...tokens]); events.push("afterStep"); },
      afterDecode: () => { events.push("afterDecode"); },
    });
    assert.deepEqual(events, ["afterPrefill", ...Array(6).fill("afterStep"), "afterDecode"]);
    assert.deepEqual(promptIds.map((_, r) => steps.map((s) => s[r])), full.outputIds, "the steps' tokens, row by row, are the output");

    let calls = 0, decoded = false;
    const stopped = await engine.generate({ promptIds, maxNewTokens: 6, fixedLength: true }, {
      afterStep: () => (++calls === 3 ? "stop" : undefined),
      afterDecode: () => { decoded = true; },
    });
    assert.equal(calls, 3);
    assert.ok(decoded, "afterDecode runs after a stop");
    assert.deepEqual(stopped.outputIds, full.outputIds.map((row) => row.slice(0, 3)));
    assert.equal(stopped.decodeStepS.length, 2);
  });
}
