// The Llama-2 and DeepSeek-R1-Distill-Qwen tokenizers reproduce llama.cpp's reference ids (encoded
// without special tokens), and expose BOS/EOS, add_bos and the chat template.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "../support/shared.js";
import { loadTokenizer } from "../../src/engine/tokenizer.js";

// each tokenizer folder and the vectors are looked up on their own, so one missing fixture skips only its tests
const tokenizers = { "llama-2-7b-hf": sharedPath("fixtures/tokenizers/llama-2-7b-hf"), "deepseek-r1-distill-qwen": sharedPath("fixtures/tokenizers/deepseek-r1-distill-qwen") };
const vectorsDir = sharedPath("fixtures/tokenizers/vectors");
const model = sharedPath("fixtures/models/tiny-random-llama-fp16");
const SEPARATOR = "\n__ggml_vocab_test__\n";

/** The 46 strings and their ids: every string ends with the separator, so the text after the last one is empty and dropped. */
function readVectors(dir: string, name: string): { text: string; ids: number[] }[] {
  const inp = readFileSync(join(dir, `${name}.inp`), "utf8");
  const out = readFileSync(join(dir, `${name}.out`), "utf8");
  assert.ok(inp.endsWith(SEPARATOR), "the .inp file ends with a separator");
  const texts = inp.slice(0, -SEPARATOR.length).split(SEPARATOR);
  const lines = out.endsWith("\n") ? out.slice(0, -1).split("\n") : out.split("\n");
  assert.equal(texts.length, 46);
  assert.equal(lines.length, 46);
  return texts.map((text, i) => ({ text, ids: lines[i].trim() === "" ? [] : lines[i].trim().split(/\s+/).map(Number) }));
}

for (const [folder, vectors] of [["llama-2-7b-hf", "llama-spm"], ["deepseek-r1-distill-qwen", "deepseek-r1-qwen"]] as const) {
  test(`${folder} reproduces all 46 reference id sequences of ${vectors}`, { skip: tokenizers[folder].skip || vectorsDir.skip }, async () => {
    const tokenizer = await loadTokenizer(tokenizers[folder].path);
    const cases = readVectors(vectorsDir.path, vectors);
    assert.ok(cases.some((c) => c.text === "" && c.ids.length === 0), "the empty string is among them");
    for (const [i, { text, ids }] of cases.entries()) {
      assert.deepEqual(tokenizer.encode(text, { addSpecialTokens: false }), ids, `string ${i}: ${JSON.stringify(text.slice(0, 40))}`);
    }
  });
}

test("special tokens, add_bos and decode of the Llama-2 tokenizer", { skip: tokenizers["llama-2-7b-hf"].skip }, async () => {
  const tokenizer = await loadTokenizer(tokenizers["llama-2-7b-hf"].path);
  assert.equal(tokenizer.bosTokenId, 1);
  assert.deepEqual(tokenizer.eosTokenIds, [2]);
  assert.equal(tokenizer.addBos, true);
  assert.equal(tokenizer.vocabSize, 32000);
  assert.deepEqual(tokenizer.encode("Hello world"), [1, 15043, 3186]);
  assert.equal(tokenizer.decode([1, 15043, 3186], { skipSpecialTokens: true }), "Hello world");
  assert.equal(tokenizer.decode([1, 15043, 3186]), "<s> Hello world");
  assert.equal(tokenizer.paddingSide, "right");
  assert.equal(tokenizer.chatTemplate, null);
  assert.throws(() => tokenizer.applyChatTemplate([{ role: "user", content: "Hi" }]), /no chat_template/);
});

test("the model fixture's tokenizer renders its Llama-2 chat template", { skip: model.skip }, async () => {
  const tokenizer = await loadTokenizer(model.path);
  assert.match(tokenizer.chatTemplate ?? "", /\[INST\]/);
  assert.equal(tokenizer.applyChatTemplate([{ role: "user", content: "Hi" }]), "<s>[INST] Hi [/INST]");
});

test("the DeepSeek-R1-Distill-Qwen tokenizer prepends its BOS 151646", { skip: tokenizers["deepseek-r1-distill-qwen"].skip }, async () => {
  const tokenizer = await loadTokenizer(tokenizers["deepseek-r1-distill-qwen"].path);
  assert.equal(tokenizer.bosTokenId, 151646);
  assert.equal(tokenizer.addBos, true);
  assert.deepEqual(tokenizer.encode("Hello world"), [151646, 9707, 1879]);
  assert.match(tokenizer.applyChatTemplate([{ role: "user", content: "1+1?" }]), /^<｜begin▁of▁sentence｜><｜User｜>1\+1\?<｜Assistant｜>/);
});

test("a folder without tokenizer.json and an unreachable hub id say what to do", async () => {
  await assert.rejects(loadTokenizer("/nonexistent-folder-for-wattlab"), /nonexistent-folder-for-wattlab: no tokenizer\.json/);
  const saved = { offline: process.env.HF_HUB_OFFLINE, cache: process.env.WATTLAB_CACHE };
  process.env.HF_HUB_OFFLINE = "1";
  process.env.WATTLAB_CACHE = "/nonexistent-cache-for-wattlab";
  try {
    await assert.rejects(loadTokenizer("onnx-community/Qwen2.5-0.5B-Instruct"),
      /^OfflineError: offline: pass a local directory instead of the model id "onnx-community\/Qwen2\.5-0\.5B-Instruct"/);
  } finally {
    for (const [key, value] of [["HF_HUB_OFFLINE", saved.offline], ["WATTLAB_CACHE", saved.cache]] as const) {
      if (value === undefined) delete process.env[key]; else process.env[key] = value;
    }
  }
});
