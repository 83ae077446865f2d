// Exact-length prompts: n ids exactly, from real text, for several n; distinct rows in a batch;
// a named error when there is no text to build from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "../support/shared.js";
import { loadTokenizer } from "../../src/engine/tokenizer.js";
import { ExactLengthError, exactLengthBatch, exactLengthIds } from "../../src/data/exact-length.js";

const llama = sharedPath("fixtures/tokenizers/llama-2-7b-hf");
const gsm8k = sharedPath("datasets/gsm8k/test.jsonl");

function questions(count: number): string[] {
  return readFileSync(gsm8k.path, "utf8").split("\n").filter(Boolean).slice(0, count).map((line) => (JSON.parse(line) as { question: string }).question);
}

test("exactLengthIds gives exactly n tokens for several n, BOS first, text in order", { skip: llama.skip || gsm8k.skip }, async () => {
  const tokenizer = await loadTokenizer(llama.path);
  const texts = questions(20);
  for (const n of [1, 2, 7, 64, 300, 2048]) {
    const ids = exactLengthIds(tokenizer, texts, n);
    assert.equal(ids.length, n, `n = ${n}`);
    assert.equal(ids[0], 1, "BOS first: the tokenizer adds it");
  }
  const plain = exactLengthIds(tokenizer, texts, 50, { addBos: false });
  assert.equal(plain.length, 50);
  assert.deepEqual(plain, tokenizer.encode(texts[0], { addSpecialTokens: false }).slice(0, 50), "starts with the first sample's own tokens");
});

test("short text cycles until n is reached", { skip: llama.skip }, async () => {
  const tokenizer = await loadTokenizer(llama.path);
  const ids = exactLengthIds(tokenizer, ["One short line."], 500);
  assert.equal(ids.length, 500);
  assert.match(tokenizer.decode(ids.slice(0, 40), { skipSpecialTokens: true }), /One short line\.\s+One short line\./);
});

test("exactLengthBatch gives `batch` different prompts of n tokens, reproducible by seed", { skip: llama.skip || gsm8k.skip }, async () => {
  const tokenizer = await loadTokenizer(llama.path);
  const texts = questions(5);
  const rows = exactLengthBatch(tokenizer, texts, 128, 8, 42);
  assert.equal(rows.length, 8);
  for (const row of rows) assert.equal(row.length, 128);
  assert.equal(new Set(rows.map((r) => r.join(","))).size, 8, "all rows differ, also beyond the 5 samples");
  assert.deepEqual(exactLengthBatch(tokenizer, texts, 128, 8, 42), rows);
  assert.notDeepEqual(exactLengthBatch(tokenizer, texts, 128, 8, 43), rows);
});

test("no text, or only blank text, is an ExactLengthError", { skip: llama.skip }, async () => {
  const tokenizer = await loadTokenizer(llama.path);
  assert.throws(() => exactLengthIds(tokenizer, [], 10), (e: unknown) => e instanceof ExactLengthError && /no text to build 9 tokens/.test(e.message));
  assert.throws(() => exactLengthIds(tokenizer, ["", "  "], 10), ExactLengthError);
  assert.throws(() => exactLengthIds(tokenizer, ["text"], 0), /n must be an integer ≥ 1/);
  assert.throws(() => exactLengthIds({ ...tokenizer, encode: tokenizer.encode.bind(tokenizer), bosTokenId: null }, ["text"], 4, { addBos: true }), /no BOS token/);
});
