// The llama.cpp step bench on stories260K, and its host share by vocabulary on two models built here: the split of a
// bare step needs llama.cpp's own eval timing, read off node-llama-cpp's log; this fails if that line's format or the
// logger hand-off changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchLlamaCppOverhead, benchVocabularyHostShare } from "../../bench/llamacpp-overhead.js";
import { buildGguf } from "../../src/models/gguf/build.js";
import { getPreset } from "../../src/models/presets.js";
import { sharedPath } from "../support/shared.js";

const stories = sharedPath("fixtures/gguf/stories260K.gguf");

test("llama.cpp step bench: llama_decode's own time per step is read and lies inside the bare step", { skip: stories.skip }, async () => {
  const r = await benchLlamaCppOverhead(stories.path, { repeats: 2, newTokens: 16 });
  assert.equal(typeof r.llamaEvalStepS, "number");
  assert.ok((r.llamaEvalStepS as number) > 0, `llama.cpp eval per step ${r.llamaEvalStepS} s`);
  // per repeat: llama.cpp's mean decode / the mean bare step over the same steps
  assert.ok((r.llamaEvalShareMin as number) > 0 && (r.llamaEvalShareMax as number) < 1, `shares ${r.llamaEvalShareMin}–${r.llamaEvalShareMax}`);
  assert.ok((r.engineStepMedianS as number) > 0 && (r.bareStepMedianS as number) > 0);
});

test("llama.cpp step bench: the host share by vocabulary reads each model's vocabulary and splits every repeat's step into llama_decode and the rest", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-vocab-share-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shape = { ...getPreset("deepseek-r1-distill-qwen-7b"), hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
    max_position_embeddings: 2048, bos_token_id: 1, eos_token_id: 2 };
  await buildGguf({ config: shape, dtype: "f32", outPath: join(dir, "large.gguf") });
  await buildGguf({ config: { ...shape, vocab_size: 512 }, dtype: "f32", outPath: join(dir, "small.gguf") });
  const r = await benchVocabularyHostShare(join(dir, "small.gguf"), join(dir, "large.gguf"), { repeats: 3, newTokens: 8 });
  assert.equal(r.smallVocab, 512);
  assert.equal(r.largeVocab, 152064);
  for (const side of [r.small, r.large]) {
    assert.equal(side.stepS.length, 3, "the warm-up is not kept");
    side.stepS.forEach((step, i) => {
      assert.ok(side.decodeS[i] > 0 && side.decodeS[i] < step, `repeat ${i}: llama_decode ${side.decodeS[i]} s inside the step ${step} s`);
      assert.equal(side.hostS[i], step - side.decodeS[i]);
    });
  }
});
