// Presets carry the published shapes; configs load from HF config.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPreset, loadConfig, parameterCount, presetNames, weightSpecs } from "../../src/models/presets.js";

test("7B presets have the published parameter counts", () => {
  assert.equal(parameterCount(getPreset("llama-2-7b")), 6_738_415_616);
  assert.equal(parameterCount(getPreset("deepseek-r1-distill-qwen-7b")), 7_615_616_512);
  const small = parameterCount(getPreset("llama-100m"));
  assert.ok(small > 90e6 && small < 110e6, `${small}`);
});

test("Qwen2 has q/k/v biases, Llama none", () => {
  const biases = (preset: string) => weightSpecs(getPreset(preset)).filter((s) => s.role === "bias").map((s) => s.name);
  assert.deepEqual(biases("tiny-qwen2").slice(0, 3),
    ["model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias"]);
  assert.deepEqual(biases("llama-2-7b"), []);
});

test("unknown preset names the choices", () => {
  assert.throws(() => getPreset("gpt-5"), new RegExp(presetNames()[0]));
});

test("loadConfig reads an HF config.json and fills Qwen2 defaults", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-config-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({
    architectures: ["Qwen2ForCausalLM"], model_type: "qwen2", hidden_size: 896, intermediate_size: 4864,
    num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936,
    max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true,
  }));
  const config = loadConfig(dir);
  assert.equal(config.attention_bias, true);
  assert.equal(weightSpecs(config).at(-1)!.stream, "model.embed_tokens.weight"); // tied lm_head
  assert.equal(parameterCount(config), 494_032_768); // Qwen2-0.5B
  writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "mistral" }));
  assert.throws(() => loadConfig(dir), /not supported/);
});
