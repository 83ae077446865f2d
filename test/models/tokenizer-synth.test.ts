// The synthetic byte-level tokenizer loads in @huggingface/tokenizers and round-trips any text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tokenizer } from "@huggingface/tokenizers";
import { synthesizeTokenizer } from "../../src/models/tokenizer-synth.js";

const texts = [
  "Hello world, the quick brown fox jumps over the lazy dog.",
  "naïve café — 日本語 🙂\n\n  leading spaces\ttabs and 12345 digits",
  "",
];

for (const [vocabSize, bos, eos] of [[512, 1, 2], [32000, 1, 2], [152064, 151646, 151643]]) {
  test(`vocab ${vocabSize}: round-trips text and prepends BOS ${bos}`, () => {
    const { tokenizer, tokenizerConfig } = synthesizeTokenizer({ vocabSize, bosTokenId: bos, eosTokenId: eos });
    const tok = new Tokenizer(tokenizer, tokenizerConfig);
    assert.equal(tok.get_vocab(true).size, vocabSize);
    for (const text of texts) {
      const { ids } = tok.encode(text);
      assert.equal(ids[0], bos);
      assert.ok(ids.every((id: number) => id >= 0 && id < vocabSize));
      assert.equal(tok.decode(ids, { skip_special_tokens: true }), text);
    }
    assert.equal(tok.token_to_id(tokenizerConfig.eos_token as string), eos);
  });
}

test("merges shorten English words", () => {
  const { tokenizer, tokenizerConfig } = synthesizeTokenizer({ vocabSize: 4096, bosTokenId: 1, eosTokenId: 2 });
  const text = "the rain in the east is heard at the station";
  const ids = new Tokenizer(tokenizer, tokenizerConfig).encode(text, { add_special_tokens: false }).ids;
  assert.ok(ids.length < text.length / 2, `${ids.length} tokens for ${text.length} bytes`);
});

test("a vocabulary too small for the bytes is refused", () => {
  assert.throws(() => synthesizeTokenizer({ vocabSize: 100, bosTokenId: 1, eosTokenId: 2 }), /at least 259/);
});
