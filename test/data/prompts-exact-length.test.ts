import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadPromptTexts } from "../../src/data/datasets.js";
import { promptsFor } from "../../src/data/prompts.js";
import { tokenizerFromJson } from "../../src/engine/tokenizer.js";
import { sharedPath } from "../support/shared.js";

const tok = sharedPath("fixtures/tokenizers/llama-2-7b-hf/tokenizer.json");
const data = sharedPath("datasets/gsm8k/test.jsonl");
const skip = tok.skip || data.skip;

function llama() {
  const dir = dirname(tok.path);
  return tokenizerFromJson(JSON.parse(readFileSync(tok.path, "utf8")), JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")));
}

test("prompts are exactly input_length Llama-2 tokens for every dataset, BOS first", { skip }, async () => {
  const tokenizer = llama();
  const datasets = { dataDir: dirname(dirname(data.path)), download: false, env: {} };
  const texts = { alpaca: await loadPromptTexts("alpaca", datasets), gsm8k: await loadPromptTexts("gsm8k", datasets) };
  for (const dataset of ["alpaca", "gsm8k", "synthetic"] as const) {
    for (const inputLength of [1, 7, 128, 1024]) {
      const rows = await promptsFor(dataset, tokenizer, { inputLength, batch: 2, seed: 0, texts: dataset === "synthetic" ? undefined : texts[dataset] });
      assert.equal(rows.length, 2);
      for (const ids of rows) {
        assert.equal(ids.length, inputLength, `${dataset} at ${inputLength}`);
        assert.equal(ids[0], tokenizer.bosTokenId);
        assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 32000));
      }
      if (inputLength > 1) assert.notDeepEqual(rows[0], rows[1], `${dataset}: rows differ`);
    }
  }
  // the text is the dataset's: row 0 at 128 tokens decodes to the start of some GSM8K question
  const [row] = await promptsFor("gsm8k", tokenizer, { inputLength: 128, batch: 1, seed: 0, texts: texts.gsm8k });
  const decoded = tokenizer.decode(row, { skipSpecialTokens: true });
  assert.ok(texts.gsm8k.some((q) => decoded.startsWith(q.slice(0, 40))), decoded.slice(0, 80));
});

test("same seed → same prompts; another seed → others; a bigger batch only adds rows", { skip }, async () => {
  const tokenizer = llama();
  const datasets = { dataDir: dirname(dirname(data.path)), download: false, env: {} };
  for (const dataset of ["alpaca", "synthetic"] as const) {
    const a = await promptsFor(dataset, tokenizer, { inputLength: 64, batch: 2, seed: 11, datasets });
    const b = await promptsFor(dataset, tokenizer, { inputLength: 64, batch: 2, seed: 11, datasets });
    const c = await promptsFor(dataset, tokenizer, { inputLength: 64, batch: 2, seed: 12, datasets });
    const wide = await promptsFor(dataset, tokenizer, { inputLength: 64, batch: 4, seed: 11, datasets });
    assert.deepEqual(a, b, dataset);
    assert.notDeepEqual(a, c, dataset);
    assert.deepEqual(wide.slice(0, 2), a, dataset);
  }
});
