// --tokenizer DIR: a real tokenizer is copied next to the model when its ids fit the vocabulary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { normalizeConfig } from "../../src/models/presets.js";
import { sharedPath } from "../support/shared.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-tokcopy-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const llamaTokenizer = sharedPath("fixtures/tokenizers/llama-2-7b-hf");

test("the Llama-2 tokenizer is copied into a 32000-vocab build", { skip: llamaTokenizer.skip }, async () => {
  const config = normalizeConfig({ model_type: "llama", hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1,
    num_attention_heads: 2, num_key_value_heads: 1, vocab_size: 32000 });
  const built = await buildModel({ config, dtype: "fp32", outDir: join(root, "llama"), tokenizerDir: llamaTokenizer.path, workers: 1 });
  assert.equal(built.tokenizer, "copied");
  assert.deepEqual(readFileSync(join(built.dir, "tokenizer.json")), readFileSync(join(llamaTokenizer.path, "tokenizer.json")));
  assert.ok(existsSync(join(built.dir, "tokenizer_config.json")));
});

test("a tokenizer larger than the vocabulary is refused with the sizes named", { skip: llamaTokenizer.skip }, async () => {
  await assert.rejects(buildModel({ preset: "tiny", dtype: "fp32", outDir: join(root, "tiny"), tokenizerDir: llamaTokenizer.path, workers: 1 }),
    /ids up to 31999 but the model's vocab_size is 512/);
});
