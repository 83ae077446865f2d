// Choosing and opening an engine: the one place that maps an engine name to its plugin folder.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Engine, EngineName, ExecutionProvider, FlashAttention } from "./types.js";
import { assertWeightDtype, optimumFileNames } from "./onnxruntime/layout.js";
import { hubDownload, looksLikeHubId, type HubDownloadOptions } from "./hub.js";
import { loadTokenizer, type WattlabTokenizer } from "./tokenizer.js";
import type { LlamaCppTokenizer } from "./llamacpp/index.js";

export interface OpenEngineOptions {
  /** Default "onnxruntime". */
  engine?: EngineName;
  /** A local model folder, or a hub id ("onnx-community/…", downloaded where online); llama.cpp: a .gguf file or a folder holding one. */
  modelDir: string;
  /** onnxruntime: cpu | webgpu | cuda. llama.cpp: cpu | cuda | vulkan | auto. */
  device?: ExecutionProvider | "vulkan" | "auto";
  /** fp32 | fp16 | int8 | int4 | q4f16 for onnxruntime; llama.cpp ignores it (the GGUF file chosen holds one weight form). */
  dtype?: string;
  threads?: number;
  /** onnxruntime webgpu: keep the KV cache on the GPU ("device", default) or round-trip it through the host. */
  kvCache?: "device" | "host";
  /** onnxruntime only: session config entries, key → value (llama.cpp refuses them). */
  sessionConfig?: Readonly<Record<string, string>>;
  /** llama.cpp only: flash attention auto (default), on or off. */
  flashAttention?: FlashAttention;
}

/** The line reported when llama.cpp's `auto` loaded `device`. */
export function llamaCppAutoNote(device: string): string {
  return `device auto → ${device} (node-llama-cpp loads the first of cuda, vulkan, cpu whose binary works here)`;
}

/**
 * A device for `engine`: "auto" becomes the best available (onnxruntime: cuda → webgpu → cpu, each checked and
 * probed once; llama.cpp resolves it while loading, so it stays "auto" here), with the line saying why; any
 * other value is returned as given, to be refused by the engine where it does not work.
 */
export async function resolveDevice(engine: EngineName, device: ExecutionProvider | "vulkan" | "auto"):
  Promise<{ device: ExecutionProvider | "vulkan" | "auto"; because: string | null }> {
  if (device !== "auto" || engine !== "onnxruntime") return { device, because: null };
  const { chooseOnnxRuntimeDevice } = await import("./onnxruntime/auto-device.js");
  const choice = await chooseOnnxRuntimeDevice();
  return { device: choice.device, because: choice.because };
}

export interface OpenedEngine {
  engine: Engine;
  tokenizer: WattlabTokenizer;
}

/** llama.cpp's own tokenizer (the GGUF vocabulary) seen as a WattlabTokenizer. */
function fromLlamaCppTokenizer(t: LlamaCppTokenizer): WattlabTokenizer {
  const bosTokenId = t.bosTokenId ?? null;
  return {
    bosTokenId, eosTokenIds: [...t.eosTokenIds], padTokenId: null, paddingSide: "left", chatTemplate: null, vocabSize: t.vocabSize,
    addBos: bosTokenId !== null && t.encode("a", { addSpecialTokens: true })[0] === bosTokenId,
    encode: (text, options) => t.encode(text, options),
    // node-llama-cpp's detokenize leaves special tokens out whatever is asked.
    decode: (ids) => t.decode([...ids]),
    applyChatTemplate: () => { throw new Error("applyChatTemplate: not available for llama.cpp models in wattlab (the GGUF template is not read)"); },
  };
}

export async function openEngine(options: OpenEngineOptions): Promise<OpenedEngine> {
  const engine = options.engine ?? "onnxruntime";
  switch (engine) {
    case "onnxruntime": {
      if (options.device === "vulkan") {
        throw new Error(`device "vulkan" is llama.cpp's; onnxruntime runs on cpu, webgpu, cuda or auto`);
      }
      if (options.flashAttention && options.flashAttention !== "auto") {
        throw new Error(`flash attention (--flash-attention ${options.flashAttention}) is llama.cpp's setting; onnxruntime has none: leave it out or use the llama.cpp engine`);
      }
      if (/\.gguf$/i.test(options.modelDir)) {
        throw new Error(`${options.modelDir} is a GGUF file, llama.cpp's format: use engine llama.cpp (--engine llama.cpp, or leave --engine out)`);
      }
      const auto = await resolveDevice("onnxruntime", options.device ?? "cpu");
      const device = auto.device as ExecutionProvider;
      const modelDir = looksLikeHubId(options.modelDir) ? await downloadOptimumModel(options.modelDir, options.dtype) : options.modelDir;
      // Imported here so that a llama.cpp-only run never loads onnxruntime's native binding.
      const { openOnnxRuntimeEngine } = await import("./onnxruntime/index.js");
      const tokenizer = await loadTokenizer(modelDir);
      const opened = await openOnnxRuntimeEngine({ ...options, device, modelDir });
      // A tokenizer from another model ends in onnxruntime's raw Gather bounds error at the first run: refuse it here.
      const maxId = tokenizer.maxTokenId ?? tokenizer.vocabSize - 1;
      if (maxId >= opened.info.vocabSize) {
        const source = opened.vocabularySource();
        await opened.dispose();
        throw new Error(`${join(modelDir, "tokenizer.json")} has ${tokenizer.vocabSize} tokens (ids up to ${maxId}) but the model's vocabulary is ` +
          `${opened.info.vocabSize} (${source}): the tokenizer belongs to another model; put the model's own tokenizer.json beside it`);
      }
      if (auto.because) opened.info.notes = [...(opened.info.notes ?? []), auto.because];
      return { engine: opened, tokenizer };
    }
    case "llama.cpp": {
      if (options.device === "webgpu") throw new Error(`device "webgpu" is onnxruntime's; llama.cpp runs on cpu, cuda, vulkan or auto`);
      if (options.sessionConfig && Object.keys(options.sessionConfig).length > 0) {
        throw new Error(`sessionConfig (--ort-config) sets onnxruntime session config entries; llama.cpp has none: leave it out or use the onnxruntime engine`);
      }
      // Imported here so that an onnxruntime run never loads node-llama-cpp.
      const { openLlamaCppEngine } = await import("./llamacpp/index.js");
      const opened = await openLlamaCppEngine({ modelPath: options.modelDir, device: options.device, threads: options.threads, flashAttention: options.flashAttention });
      if (options.device === "auto") opened.engine.info.notes = [...(opened.engine.info.notes ?? []), llamaCppAutoNote(opened.engine.info.device)];
      return { engine: opened.engine, tokenizer: fromLlamaCppTokenizer(opened.tokenizer) };
    }
    default:
      throw new Error(`Unsupported engine "${String(engine)}". Should be one of: onnxruntime, llama.cpp`);
  }
}

/** An optimum / onnx-community model from the hub: configs, tokenizer, one onnx/model_<dtype>.onnx and its external data. */
async function downloadOptimumModel(modelId: string, dtype: string | undefined, options: HubDownloadOptions = {}): Promise<string> {
  const chosen = dtype ?? "fp16";
  assertWeightDtype(chosen);
  const common = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];
  const dir = await hubDownload(modelId, common, { ...options, optional: ["generation_config.json", "special_tokens_map.json", "tokenizer_config.json"] });
  for (const file of optimumFileNames(chosen).map((f) => `onnx/${f}`)) {
    await hubDownload(modelId, [file], { ...options, optional: [file] });
    if (!existsSync(join(dir, file))) continue;
    // External weights: model.onnx_data, then model.onnx_data_1, _2 … until the hub has no more.
    for (let part = 0; ; part++) {
      const data = part === 0 ? `${file}_data` : `${file}_data_${part}`;
      await hubDownload(modelId, [data], { ...options, optional: [data] });
      if (!existsSync(join(dir, data))) break;
    }
    return dir;
  }
  throw new Error(`${modelId}: the hub has no ${optimumFileNames(chosen).map((f) => `onnx/${f}`).join(" or ")} for dtype "${chosen}"`);
}
