// fixedLength ignores EOS and yields exactly maxNewTokens per row; without it a row stops at its EOS
// (kept in the output, as HF generate keeps it) while the others go on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLlamaCppEngine } from "../../../src/engine/llamacpp/index.js";
import { buildGguf } from "../../../src/models/gguf/index.js";
import { getPreset } from "../../../src/models/presets.js";

// Seeded tiny preset (seed 0): greedy gives row 0 token 198 forever and row 1 [421, 421, 421, 140, …].
// Declaring 140 the EOS makes row 1 end early.
const PROMPTS = [[1, 300, 301, 302, 303], [1, 17, 400, 99]];
const EOS = 140;

test("built tiny GGUF (F32): fixedLength gives exactly N tokens past EOS; otherwise a row stops at EOS", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const built = await buildGguf({ config: { ...getPreset("tiny"), eos_token_id: EOS }, name: "tiny-eos140", dtype: "f32", outPath: join(dir, "tiny.gguf") });
    const { engine } = await openLlamaCppEngine({ modelPath: dir, threads: 1 });
    try {
      assert.equal(engine.info.weightForm, "F32");
      assert.equal(built.fileType, "F32");
      assert.deepEqual(engine.info.eosTokenIds, [EOS]);

      const fixed = await engine.generate({ promptIds: PROMPTS, maxNewTokens: 9, fixedLength: true });
      assert.deepEqual(fixed.outputIds.map((r) => r.length), [9, 9]);
      assert.equal(fixed.outputTokens, 18);
      assert.equal(fixed.decodeStepS.length, 8);
      assert.ok(fixed.outputIds[1].includes(EOS), "row 1 passes through EOS");
      assert.deepEqual(fixed.outputIds[1].slice(0, 4), [421, 421, 421, EOS]);

      const free = await engine.generate({ promptIds: PROMPTS, maxNewTokens: 9, fixedLength: false });
      assert.deepEqual(free.outputIds[1], [421, 421, 421, EOS]);
      assert.deepEqual(free.outputIds[0], fixed.outputIds[0]);
      assert.equal(free.outputTokens, 9 + 4);
      assert.equal(free.decodeStepS.length, 8);
    } finally {
      await engine.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
