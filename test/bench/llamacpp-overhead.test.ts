// The llama.cpp step bench on stories260K: its split of a bare step needs llama.cpp's own eval timing, read off
// node-llama-cpp's log; this fails if that line's format or the logger hand-off changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchLlamaCppOverhead } from "../../bench/llamacpp-overhead.js";
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
