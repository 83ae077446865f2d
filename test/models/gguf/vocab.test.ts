// A GGUF vocabulary made from a tokenizer.json (or copied from a vocab GGUF) tokenizes in llama.cpp as
// the Hugging Face tokenizer does: llama.cpp's own test vectors, 46 strings each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLlamaCppTokenizer } from "../../../src/engine/llamacpp/index.js";
import { modelEntries } from "../../../src/models/gguf/build.js";
import { GgufValueType } from "../../../src/models/gguf/constants.js";
import { metadataValue } from "../../../src/models/gguf/metadata.js";
import { readGguf } from "../../../src/models/gguf/reader.js";
import { TokenType, vocabEntries, type VocabRequest } from "../../../src/models/gguf/vocab.js";
import { writeGguf } from "../../../src/models/gguf/writer.js";
import { getPreset } from "../../../src/models/presets.js";
import { sharedPath } from "../../support/shared.js";

/** Writes a vocab-only GGUF (hyper-parameters of a tiny preset, no tensors) and tokenizes the vectors with llama.cpp. */
async function checkVectors(request: VocabRequest, vectors: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-vocab-"));
  try {
    const path = join(dir, "vocab.gguf");
    const hyper = { ...getPreset(request.architecture === "llama" ? "tiny" : "tiny-qwen2"), vocab_size: request.vocabSize };
    await writeGguf(path, [...modelEntries(hyper, 0, "vocab"), ...vocabEntries(request)], []);
    const inputs = readFileSync(vectors + ".inp", "utf8").split("\n__ggml_vocab_test__\n").slice(0, -1);
    const expected = readFileSync(vectors + ".out", "utf8").trim().split("\n").map((l) => l.trim());
    assert.equal(inputs.length, expected.length);
    const { tokenizer, dispose } = await openLlamaCppTokenizer(path);
    try {
      assert.equal(tokenizer.vocabSize, request.vocabSize);
      assert.equal(tokenizer.bosTokenId, request.bosTokenId);
      assert.deepEqual(tokenizer.eosTokenIds, [request.eosTokenId]);
      inputs.forEach((text, i) => assert.equal(tokenizer.encode(text, { addSpecialTokens: false }).join(" "), expected[i], `vector ${i}: ${JSON.stringify(text)}`));
    } finally {
      await dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const llama2 = sharedPath("fixtures/tokenizers/llama-2-7b-hf/tokenizer.json");
const qwen = sharedPath("fixtures/tokenizers/deepseek-r1-distill-qwen/tokenizer.json");
const spmGguf = sharedPath("fixtures/gguf/ggml-vocab-llama-spm.gguf");
const spmVectors = sharedPath("fixtures/tokenizers/vectors/llama-spm.inp");
const qwenVectors = sharedPath("fixtures/tokenizers/vectors/deepseek-r1-qwen.inp");

test("Llama 2 tokenizer.json → SPM vocabulary scored by merge rank", { skip: llama2.skip || spmVectors.skip }, async () => {
  await checkVectors({ vocabSize: 32000, bosTokenId: 1, eosTokenId: 2, architecture: "llama", source: join(llama2.path, "..") },
    spmVectors.path.replace(/\.inp$/, ""));
});

test("llama.cpp's vocab GGUF copied as is", { skip: spmGguf.skip || spmVectors.skip }, async () => {
  await checkVectors({ vocabSize: 32000, bosTokenId: 1, eosTokenId: 2, architecture: "llama", source: spmGguf.path },
    spmVectors.path.replace(/\.inp$/, ""));
});

test("DeepSeek-R1-Distill-Qwen tokenizer.json → gpt2 vocabulary with merges, padded to vocab_size", { skip: qwen.skip || qwenVectors.skip }, async () => {
  await checkVectors({ vocabSize: 152064, bosTokenId: 151646, eosTokenId: 151643, architecture: "qwen2", source: join(qwen.path, "..") },
    qwenVectors.path.replace(/\.inp$/, ""));
});

test("without a source: the ONNX builder's synthetic byte-level tokenizer, specials as control tokens", () => {
  const entries = vocabEntries({ vocabSize: 512, bosTokenId: 1, eosTokenId: 2, architecture: "llama" });
  assert.equal(metadataValue(entries, "tokenizer.ggml.model"), "gpt2");
  assert.equal(metadataValue(entries, "tokenizer.ggml.pre"), "gpt-2");
  const tokens = metadataValue(entries, "tokenizer.ggml.tokens") as string[];
  const types = metadataValue(entries, "tokenizer.ggml.token_type") as number[];
  assert.equal(tokens.length, 512);
  assert.deepEqual([tokens[1], tokens[2]], ["<s>", "</s>"]);
  assert.deepEqual([types[1], types[2]], [TokenType.CONTROL, TokenType.CONTROL]);
  assert.ok((metadataValue(entries, "tokenizer.ggml.merges") as string[]).length > 200);
});

test("a copied vocabulary of the wrong size is refused", { skip: spmGguf.skip }, () => {
  assert.throws(() => vocabEntries({ vocabSize: 512, bosTokenId: 1, eosTokenId: 2, architecture: "llama", source: spmGguf.path }),
    /has 32000 tokens but the model's vocab_size is 512/);
  const tokens = readGguf(spmGguf.path).metadata.find((e) => e.key === "tokenizer.ggml.tokens");
  assert.equal(tokens?.type, GgufValueType.ARRAY);
});
