// buildGguf writes the hyper-parameters, tensor names, types and file type llama.cpp expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGguf } from "../../../src/models/gguf/build.js";
import { GgmlType } from "../../../src/models/gguf/constants.js";
import { metadataValue } from "../../../src/models/gguf/metadata.js";
import { readGguf } from "../../../src/models/gguf/reader.js";
import { getPreset } from "../../../src/models/presets.js";

test("tiny preset, Q8_0: metadata, tensor names and types", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const built = await buildGguf({ preset: "tiny", dtype: "q8_0", outPath: join(dir, "tiny.gguf") });
    assert.equal(built.fileType, "Q8_0");
    assert.equal(statSync(built.path).size, built.bytes);
    assert.deepEqual(built.fallbacks, []);
    const file = readGguf(built.path);
    const md = (key: string) => metadataValue(file.metadata, key);
    const c = getPreset("tiny");
    assert.equal(md("general.architecture"), "llama");
    assert.equal(md("general.file_type"), 7);
    assert.equal(md("llama.block_count"), c.num_hidden_layers);
    assert.equal(md("llama.embedding_length"), c.hidden_size);
    assert.equal(md("llama.feed_forward_length"), c.intermediate_size);
    assert.equal(md("llama.attention.head_count"), c.num_attention_heads);
    assert.equal(md("llama.attention.head_count_kv"), c.num_key_value_heads);
    assert.equal(md("llama.rope.dimension_count"), c.hidden_size / c.num_attention_heads);
    assert.equal(md("llama.context_length"), c.max_position_embeddings);
    assert.equal(md("llama.rope.freq_base"), c.rope_theta);
    assert.equal(md("llama.attention.layer_norm_rms_epsilon"), Math.fround(c.rms_norm_eps));
    assert.equal(md("tokenizer.ggml.bos_token_id"), c.bos_token_id);
    assert.equal(md("tokenizer.ggml.eos_token_id"), c.eos_token_id);
    assert.equal((md("tokenizer.ggml.tokens") as string[]).length, c.vocab_size);

    const byName = new Map(file.tensors.map((t) => [t.name, t]));
    assert.equal(file.tensors.length, 2 + 1 + 9 * c.num_hidden_layers);
    assert.deepEqual(byName.get("token_embd.weight")?.ne, [c.hidden_size, c.vocab_size]);
    assert.deepEqual(byName.get("blk.0.attn_k.weight")?.ne, [c.hidden_size, c.num_key_value_heads * 16]);
    assert.deepEqual(byName.get("blk.3.ffn_down.weight")?.ne, [c.intermediate_size, c.hidden_size]);
    assert.equal(byName.get("blk.0.attn_q.weight")?.type, GgmlType.Q8_0);
    assert.equal(byName.get("output.weight")?.type, GgmlType.Q8_0);
    assert.equal(byName.get("blk.0.attn_norm.weight")?.type, GgmlType.F32);
    assert.equal(byName.get("output_norm.weight")?.type, GgmlType.F32);
    assert.ok(!byName.has("blk.0.attn_q.bias"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("qwen2: q/k/v biases, tied embeddings leave out output.weight, rows that are not whole blocks fall back to F16", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const config = { ...getPreset("tiny-qwen2"), intermediate_size: 48, tie_word_embeddings: true };
    const built = await buildGguf({ config, name: "odd", dtype: "q4_0", outPath: join(dir, "q.gguf") });
    const file = readGguf(built.path);
    const byName = new Map(file.tensors.map((t) => [t.name, t]));
    assert.equal(metadataValue(file.metadata, "general.architecture"), "qwen2");
    assert.equal(metadataValue(file.metadata, "qwen2.block_count"), config.num_hidden_layers);
    assert.equal(byName.get("blk.0.attn_q.bias")?.type, GgmlType.F32);
    assert.equal(byName.get("blk.0.attn_v.bias")?.ne[0], config.num_key_value_heads * 16);
    assert.ok(!byName.has("output.weight"));
    assert.equal(byName.get("blk.0.ffn_down.weight")?.type, GgmlType.F16); // 48 inputs: not whole blocks of 32
    assert.equal(byName.get("blk.0.ffn_up.weight")?.type, GgmlType.Q4_0);
    assert.deepEqual(built.fallbacks, [0, 1, 2].map((l) => `blk.${l}.ffn_down.weight`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
