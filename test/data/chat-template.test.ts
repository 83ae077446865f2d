import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { chatTemplateParts, promptsFromTexts } from "../../src/data/prompts.js";
import { tokenizerFromJson } from "../../src/engine/tokenizer.js";
import { sharedPath } from "../support/shared.js";

const deepseek = sharedPath("fixtures/tokenizers/deepseek-r1-distill-qwen/tokenizer.json");
const llama = sharedPath("fixtures/tokenizers/llama-2-7b-hf/tokenizer.json");

function load(path: string) {
  return tokenizerFromJson(JSON.parse(readFileSync(path, "utf8")), JSON.parse(readFileSync(join(dirname(path), "tokenizer_config.json"), "utf8")));
}

const texts = ["Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"];

test("with the chat template, prompts are still exactly input_length: template prefix, fitted content, generation prompt", { skip: deepseek.skip }, () => {
  const tokenizer = load(deepseek.path);
  const { prefix, suffix } = chatTemplateParts(tokenizer);
  assert.equal(prefix[0], tokenizer.bosTokenId, "DeepSeek's template starts with its BOS token");
  const rendered = tokenizer.decode([...prefix, ...suffix]);
  assert.match(rendered, /<｜User｜>/);
  assert.match(rendered, /<｜Assistant｜>/);
  for (const inputLength of [prefix.length + suffix.length + 1, 64, 300]) {
    const [ids] = promptsFromTexts(texts, tokenizer, { inputLength, batch: 1, seed: 0, chatTemplate: true });
    assert.equal(ids.length, inputLength);
    assert.deepEqual(ids.slice(0, prefix.length), prefix);
    assert.deepEqual(ids.slice(-suffix.length), suffix);
    assert.equal(ids.filter((id) => id === tokenizer.bosTokenId).length, 1, "one BOS: the content adds none");
  }
  assert.throws(() => promptsFromTexts(texts, tokenizer, { inputLength: prefix.length + suffix.length, batch: 1, seed: 0, chatTemplate: true }),
    /leaves no room for the prompt: the chat template alone takes \d+ tokens/);
});

test("a tokenizer without a chat template says so", { skip: llama.skip }, () => {
  assert.throws(() => promptsFromTexts(texts, load(llama.path), { inputLength: 32, batch: 1, seed: 0, chatTemplate: true }),
    /tokenizer has none \(no chat_template in tokenizer_config\.json\); run without --chat-template/);
});
