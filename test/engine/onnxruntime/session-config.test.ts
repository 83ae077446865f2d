// Session config entries (sessionConfig / --ort-config KEY=VALUE) reach onnxruntime: a real key whose wrong value
// onnxruntime refuses proves it; the WebGPU validation mode moves onto the provider object and other WebGPU EP keys are
// refused (onnxruntime-node 1.30 does not pass them on: results/h200-2026-11/provenance/ort-config-check.mjs on an H200); llama.cpp refuses them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedPath } from "../../support/shared.js";
import { OnnxRuntimeEngine } from "../../../src/engine/onnxruntime/index.js";
import { executionProviderConfig, splitWebGpuOptions } from "../../../src/engine/onnxruntime/providers.js";
import { openEngine } from "../../../src/engine/load.js";
import { parseArgs, UsageError } from "../../../src/cli/args.js";
import { parseOrtConfig } from "../../../src/cli/ort-config.js";
import { generateCommand } from "../../../src/cli/commands/generate.js";
import { profileCommand } from "../../../src/cli/commands/profile.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

test("an entry reaches the session: session.load_model_format=ORT makes onnxruntime read the .onnx file as an ORT model", { skip: fixture.skip }, async () => {
  await assert.rejects(OnnxRuntimeEngine.open({ modelDir: fixture.path, sessionConfig: { "session.load_model_format": "ORT" } }),
    /could not open the model on "cpu": .*ORT model verification failed/);
  const engine = await OnnxRuntimeEngine.open({ modelDir: fixture.path, sessionConfig: { "session.load_model_format": "ONNX", "session.intra_op.allow_spinning": "0" } });
  try {
    assert.deepEqual(engine.info.sessionConfig, { "session.load_model_format": "ONNX", "session.intra_op.allow_spinning": "0" });
    const out = await engine.generate({ promptIds: [[1, 2, 3]], maxNewTokens: 2, fixedLength: true });
    assert.equal(out.outputIds[0].length, 2);
  } finally {
    await engine.dispose();
  }
  const plain = await OnnxRuntimeEngine.open({ modelDir: fixture.path, sessionConfig: {} });
  assert.equal(plain.info.sessionConfig, undefined, "no entries, nothing recorded");
  await plain.dispose();
});

test("the WebGPU validation mode goes on the provider object; other WebGPU EP keys are refused, naming the key", () => {
  assert.deepEqual(executionProviderConfig("webgpu"), { name: "webgpu", validationMode: "basic" });
  assert.deepEqual(executionProviderConfig("webgpu", { "ep.webgpuexecutionprovider.validationMode": "disabled", "session.x": "1" }), { name: "webgpu", validationMode: "disabled" });
  assert.deepEqual(splitWebGpuOptions({ "ep.webgpuexecutionprovider.validationMode": "disabled", "session.x": "1" }),
    { provider: { validationMode: "disabled" }, extra: { "session.x": "1" } });
  assert.equal(executionProviderConfig("cpu", { "ep.webgpuexecutionprovider.validationMode": "disabled" }), "cpu");
  for (const key of ["ep.webgpuexecutionprovider.maxNumPendingDispatches", "ep.webgpuexecutionprovider.enableGraphCapture"]) {
    assert.throws(() => executionProviderConfig("webgpu", { [key]: "1" }), new RegExp(`session config ${key.replace(/\./g, "\\.")}: onnxruntime-node 1\\.30 does not pass this WebGPU EP option on`));
  }
});

test("a session on the CPU keeps a WebGPU validation mode off its config entries (only the WebGPU provider object takes it)", { skip: fixture.skip }, async () => {
  const engine = await OnnxRuntimeEngine.open({ modelDir: fixture.path, sessionConfig: { "ep.webgpuexecutionprovider.validationMode": "disabled", "session.load_model_format": "ONNX" } });
  await engine.dispose();
  await assert.rejects(OnnxRuntimeEngine.open({ modelDir: fixture.path, sessionConfig: { "ep.webgpuexecutionprovider.enableGraphCapture": "1" } }), /enableGraphCapture: onnxruntime-node 1\.30 does not pass/);
});

test("--ort-config KEY=VALUE: repeatable, the value may hold '=' and ',', bad entries name the flag and the form", () => {
  const p = parseArgs(generateCommand, ["--ort-config", "session.intra_op_thread_affinities=1,2;3,4", "--ort-config=a.b=x=y"]);
  assert.deepEqual(parseOrtConfig("generate", (p.options["ort-config"] as string[])), { "session.intra_op_thread_affinities": "1,2;3,4", "a.b": "x=y" });
  assert.equal(parseOrtConfig("generate", []), undefined);
  assert.deepEqual(parseOrtConfig("generate", ["k="]), { k: "" });
  for (const bad of ["novalue", "=1", " =1"]) {
    assert.throws(() => parseOrtConfig("profile", [bad]), (e: unknown) => e instanceof UsageError &&
      e.message === `wattlab profile: --ort-config "${bad}" is not KEY=VALUE (e.g. --ort-config session.intra_op.allow_spinning=0)`);
  }
  assert.throws(() => parseOrtConfig("generate", ["k=1", "k=2"]), /--ort-config k given twice \("1", "2"\)/);
  assert.ok(profileCommand.options.some((o) => o.name === "ort-config" && o.kind === "list" && o.repeatOnly));
  assert.match(profileCommand.usage, /--ort-config KEY=VALUE/);
  assert.match(generateCommand.usage, /--ort-config KEY=VALUE/);
});

test("llama.cpp refuses session config entries, naming the flag", async () => {
  await assert.rejects(generateCommand.run(parseArgs(generateCommand, ["--engine", "llama.cpp", "--ort-config", "a=b"])),
    (e: unknown) => e instanceof UsageError && /--ort-config sets onnxruntime session config entries; --engine llama\.cpp takes none/.test(e.message));
  await assert.rejects(openEngine({ engine: "llama.cpp", modelDir: "/nonexistent.gguf", sessionConfig: { a: "b" } }),
    /sessionConfig \(--ort-config\) sets onnxruntime session config entries; llama\.cpp has none/);
});
