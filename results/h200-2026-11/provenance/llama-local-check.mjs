// Checks which llama.cpp binary getLlama picks with wattlab's options (gpu, build: "never", skipDownload) and that it
// runs: loads stories260K.gguf fully offloaded and generates a few tokens.
//   usage: node results/h200-2026-11/provenance/llama-local-check.mjs [cuda|vulkan|false] [model.gguf]   (from the repo root)
import { existsSync } from "node:fs";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";

const gpu = (process.argv[2] ?? "cuda") === "false" ? false : process.argv[2] ?? "cuda";
const shared = process.env.WATTLAB_SHARED;
const model = process.argv[3] ?? [shared && `${shared}/fixtures/gguf/stories260K.gguf`,
  "../shared/fixtures/gguf/stories260K.gguf"].find((p) => p && existsSync(p));
const t0 = performance.now();
const llama = await getLlama({ gpu, build: "never", skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false });
console.log(`getLlama: buildType=${llama.buildType} gpu=${llama.gpu} release=${llama.llamaCppRelease.release}`,
  `cmakeOptions=${JSON.stringify(llama.cmakeOptions)} devices=${JSON.stringify(await llama.getGpuDeviceNames())}`,
  `(${Math.round(performance.now() - t0)} ms)`);
if (!model) { console.log("no GGUF found to load"); process.exit(0); }
const m = await llama.loadModel({ modelPath: model, gpuLayers: gpu === false ? 0 : "max" });
const ctx = await m.createContext({ contextSize: 256 });
const text = await new LlamaCompletion({ contextSequence: ctx.getSequence() })
  .generateCompletion("Once upon a time", { maxTokens: 16, temperature: 0 });
console.log(`generated from ${model} (gpuLayers=${m.gpuLayers}): ${JSON.stringify(text)}`);
await llama.dispose();
