// wattlab generate as a new user runs it: no --dtype for a folder, a .gguf without --engine, --device auto.
// Real child processes of the CLI, real model folders (the third-party fp16 export, wattlab's own tiny build).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PRESETS } from "../../src/models/presets.js";
import { packageRoot } from "../../src/version.js";
import { sharedPath } from "../support/shared.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-generate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function wattlab(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(packageRoot(), "bin", "wattlab.js"), ...args],
    { encoding: "utf8", env: { ...process.env, ...env }, timeout: 180_000 });
}

/** The `model` line of generate's table: "<dir> (<engine>, <device>, <weight form>)". */
function modelLine(stdout: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith("model "));
  assert.ok(line, `no model line in:\n${stdout}`);
  return line;
}

test("a single-model folder runs as what it holds when --dtype is left out: the fp16 genai export", { skip: fixture.skip }, () => {
  const r = wattlab(["generate", "--model", fixture.path, "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(modelLine(r.stdout), /\(onnxruntime, cpu, fp16 \(model\.onnx\)\)$/);
  assert.doesNotMatch(r.stdout, /weights are random/, "a folder the user brought is not said to be random");
  // asked explicitly for what it does not hold: still refused, naming the folder's form
  const wrong = wattlab(["generate", "--model", fixture.path, "--dtype", "fp32", "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /holds fp16 weights, not the dtype "fp32" asked for/);
});

test("a folder written by wattlab quantize --bits 4 runs with no --dtype; a preset keeps its fp32 default", (t) => {
  const dir = tempDir(t);
  const env = { WATTLAB_MODELS_DIR: join(dir, "models") };
  const built = wattlab(["build-model", "--preset", "tiny", "--dtype", "fp32", "--out", join(dir, "tiny")], env);
  assert.equal(built.status, 0, built.stderr);
  const quantized = wattlab(["quantize", "--in", join(dir, "tiny"), "--bits", "4", "--out", join(dir, "tiny-q4")], env);
  assert.equal(quantized.status, 0, quantized.stderr);
  const r = wattlab(["generate", "--model", join(dir, "tiny-q4"), "--prompt", "hi", "--max-new-tokens", "4"], env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(modelLine(r.stdout), /MatMulNBits quantized, fp32 activations/);

  const preset = wattlab(["generate", "--model", "tiny", "--prompt", "hi", "--max-new-tokens", "4", "--json"], env);
  assert.equal(preset.status, 0, preset.stderr);
  const m = JSON.parse(preset.stdout) as { modelDir: string; info: { weightForm: string }; randomWeights: boolean };
  assert.equal(m.info.weightForm, "fp32");
  assert.equal(m.modelDir, join(dir, "models", "tiny-fp32"));
  assert.equal(m.randomWeights, true);

  // a preset's generation says once, in one line, that its weights are random
  const text = wattlab(["generate", "--model", "tiny", "--prompt", "hi", "--max-new-tokens", "4"], env);
  assert.equal(text.status, 0, text.stderr);
  const said = text.stdout.split("\n").filter((l) => /random/.test(l));
  assert.deepEqual(said, ["note: the weights are random (seeded, at the model's true shapes): the text is noise; energy and speed depend on the shapes, not the values"]);
});

test("an optimum folder with several files says which one it ran when --dtype is left out, and runs the one asked for", { skip: fixture.skip }, (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "onnx"));
  symlinkSync(join(fixture.path, "model.onnx"), join(dir, "onnx", "model_fp16.onnx"));
  symlinkSync(join(fixture.path, "model.onnx.data"), join(dir, "onnx", "model.onnx.data"));
  // a second file of the folder: never opened unless asked for
  writeFileSync(join(dir, "onnx", "model_q4.onnx"), "not opened unless --dtype int4");
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) symlinkSync(join(fixture.path, f), join(dir, f));
  writeFileSync(join(dir, "config.json"), JSON.stringify({
    model_type: "llama", hidden_size: 16, num_attention_heads: 1, num_key_value_heads: 1, num_hidden_layers: 2,
    vocab_size: 32000, max_position_embeddings: 2048, bos_token_id: 1, eos_token_id: 2,
  }));
  const picked = wattlab(["generate", "--model", dir, "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(picked.status, 0, picked.stderr);
  assert.match(picked.stdout, /^note: .* holds fp16, int4; ran fp16 \(onnx\/model_fp16\.onnx\), .*pick another with --dtype$/m);
  const asked = wattlab(["generate", "--model", dir, "--dtype", "fp16", "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(asked.status, 0, asked.stderr);
  assert.doesNotMatch(asked.stdout, /holds fp16, int4/);
  const other = wattlab(["generate", "--model", dir, "--dtype", "int4", "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(other.status, 1, "the int4 file is not a model: asking for it must open it and fail");
  assert.match(other.stderr, /model_q4\.onnx/);
});

const gguf = sharedPath("fixtures/gguf/stories260K.gguf");

test("a .gguf path without --engine runs on llama.cpp and --json says why", { skip: gguf.skip }, () => {
  const r = wattlab(["generate", "--model", gguf.path, "--prompt", "Once", "--max-new-tokens", "4", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { info: { engine: string }; engineChosenBecause: string | null };
  assert.equal(m.info.engine, "llama.cpp");
  assert.match(m.engineChosenBecause ?? "", /stories260K\.gguf is a GGUF file, llama\.cpp's format/);
  const named = wattlab(["generate", "--model", gguf.path, "--engine", "llama.cpp", "--prompt", "Once", "--max-new-tokens", "4", "--json"]);
  assert.equal(named.status, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { engineChosenBecause: string | null }).engineChosenBecause, null);
  // asking onnxruntime for a GGUF file says what to do instead of "no tokenizer.json"
  const wrong = wattlab(["generate", "--model", gguf.path, "--engine", "onnxruntime", "--prompt", "Once", "--max-new-tokens", "4"]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /is a GGUF file, llama\.cpp's format: use engine llama\.cpp/);
  assert.equal(wrong.stderr.trim().split("\n").length, 1, wrong.stderr);
});

test("--device auto picks the best provider that works here and reports it; explicit devices stay strict", { skip: fixture.skip }, (t) => {
  const dir = tempDir(t);
  const env = { WATTLAB_CACHE: dir };
  const started = Date.now();
  const r = wattlab(["generate", "--model", fixture.path, "--device", "auto", "--prompt", "hi", "--max-new-tokens", "4", "--json"], env);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { info: { device: string }; deviceChosenBecause: string | null; notes: string[] };
  assert.ok(["cpu", "webgpu", "cuda"].includes(m.info.device));
  assert.match(m.deviceChosenBecause ?? "", new RegExp(`^device auto → ${m.info.device} `));
  assert.ok(m.notes.includes(m.deviceChosenBecause!));
  if (m.info.device === "cpu") {
    // both GPU providers were passed over, each with its reason
    assert.match(m.deviceChosenBecause!, /cuda: .+; webgpu: .+/);
    assert.ok(Date.now() - started < 60_000, "choosing cpu must not wait on a hanging probe");
    const strict = wattlab(["generate", "--model", fixture.path, "--device", "webgpu", "--prompt", "hi", "--max-new-tokens", "4"], env);
    assert.equal(strict.status, 1, "an explicit --device webgpu where it cannot run is refused, not replaced");
    assert.match(strict.stderr, /webgpu/);
  }
});

test("--device auto on a .gguf lets llama.cpp pick among cuda, vulkan, cpu and says which", { skip: gguf.skip }, () => {
  const r = wattlab(["generate", "--model", gguf.path, "--device", "auto", "--prompt", "Once", "--max-new-tokens", "4", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { info: { device: string }; deviceChosenBecause: string | null };
  assert.ok(["cpu", "vulkan", "cuda"].includes(m.info.device), m.info.device);
  assert.equal(m.deviceChosenBecause, `device auto → ${m.info.device} (node-llama-cpp loads the first of cuda, vulkan, cpu whose binary works here)`);
});

const qwenTokenizer = sharedPath("fixtures/tokenizers/deepseek-r1-distill-qwen");

test("a tokenizer whose ids exceed the model's vocabulary is refused at load in one line naming both files and both sizes", { skip: qwenTokenizer.skip }, (t) => {
  const dir = tempDir(t);
  const built = wattlab(["build-model", "--preset", "tiny", "--dtype", "fp32", "--out", join(dir, "tiny")]);
  assert.equal(built.status, 0, built.stderr);
  const model = join(dir, "tiny");
  // the Qwen2 tokenizer (151,665 tokens, shared/README.md) beside the tiny model (a 512-token vocabulary)
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
    rmSync(join(model, f), { force: true });
    symlinkSync(join(qwenTokenizer.path, f), join(model, f));
  }
  const r = wattlab(["generate", "--model", model, "--prompt", "hi", "--max-new-tokens", "4"]);
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.equal(lines[0], `wattlab generate: ${join(model, "tokenizer.json")} has 151665 tokens (ids up to 151664) but the model's vocabulary is ${PRESETS.tiny.vocab_size} ` +
    `(vocab_size in ${join(model, "genai_config.json")}): the tokenizer belongs to another model; put the model's own tokenizer.json beside it`);
  assert.doesNotMatch(r.stdout + r.stderr, /out of data bounds|ERROR/);
});
