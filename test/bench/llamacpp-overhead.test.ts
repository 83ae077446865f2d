// The llama.cpp step bench on stories260K, and its host share by vocabulary on two models built here: the split of a
// bare step needs llama.cpp's own eval timing, read off node-llama-cpp's log; this fails if that line's format or the
// logger hand-off changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchLlamaCppOverhead, benchVocabularyHostShare, buildVocabularyPair } from "../../bench/llamacpp-overhead.js";
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
  const { small, large } = await buildVocabularyPair(dir);
  const r = await benchVocabularyHostShare(small, large, { repeats: 3, newTokens: 8 });
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
