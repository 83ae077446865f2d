// wattlab profile: onnxruntime's profiler over one generation: GPU timestamps per program (WebGPU), host-side times per operator type.
import { formatProfile, ProfileShapeError, profileGeneration, summarizeGeneration } from "../../lab/profile.js";
import type { ExecutionProvider } from "../../engine/types.js";
import { ENGINE_DEVICES, QUANTIZATIONS, type Quantization } from "../../sweep/dimensions.js";
import { get, UsageError, type CommandSpec } from "../args.js";
import { ORT_CONFIG_OPTION, parseOrtConfig } from "../ort-config.js";

// the profiler is onnxruntime's: its devices and weight forms only
const DEVICES: readonly string[] = ENGINE_DEVICES.onnxruntime;
const DTYPES: readonly string[] = QUANTIZATIONS;

export const profileCommand: CommandSpec = {
  name: "profile",
  summary: "profile one onnxruntime generation: GPU time per shader program (WebGPU timestamps) and host-side time per operator type",
  usage: "wattlab profile [--model NAME|DIR] [--dtype fp16] [--device webgpu] [--input-tokens 128] [--max-new-tokens 16] [--batch 1] [--top 12] [--out PREFIX] [--ort-config KEY=VALUE ...]\n       wattlab profile --summarize FILE [--max-new-tokens 16] [--warmup 1] [--top 12]",
  options: [
    { name: "model", kind: "string", help: "a preset (built on first use) or an ONNX model folder", default: "tiny" },
    { name: "dtype", kind: "string", help: DTYPES.join(" | ") + " (default: fp32 for presets; a folder runs what it holds)" },
    { name: "device", kind: "string", help: DEVICES.join(" | "), default: "cpu" },
    { name: "input-tokens", kind: "number", whole: true, min: 1, help: "prompt tokens per row", default: 32 },
    { name: "max-new-tokens", kind: "number", whole: true, min: 1, help: "tokens generated per row (fixed length)", default: 16 },
    { name: "batch", kind: "number", whole: true, min: 1, help: "rows generated together", default: 1 },
    { name: "warmup", kind: "number", whole: true, min: 0, help: "generations left out of the summary", default: 1 },
    { name: "threads", kind: "number", whole: true, min: 1, help: "onnxruntime CPU threads" },
    { name: "top", kind: "number", whole: true, min: 1, help: "programs and operator types to list", default: 12 },
    { name: "out", kind: "string", help: "profile file prefix (default: a temp folder)" },
    ORT_CONFIG_OPTION,
    { name: "summarize", kind: "string", help: "summarise a profile file written earlier instead of running (its generations: --warmup + 1, of --max-new-tokens runs each)" },
  ],
  async run(parsed) {
    const top = get.number(parsed, "top");
    const file = get.string(parsed, "summarize");
    if (file !== undefined) {
      const perGeneration = get.number(parsed, "max-new-tokens")!, warmups = get.number(parsed, "warmup")!;
      let generation;
      try {
        generation = summarizeGeneration(file, perGeneration, warmups);
      } catch (error) {
        if (!(error instanceof ProfileShapeError)) throw error;
        throw new UsageError(`wattlab profile --summarize: ${file} holds ${error.runs} session runs, not (--warmup ${warmups} + 1) × --max-new-tokens ${perGeneration} = ${(warmups + 1) * perGeneration}; pass the flags the profile was made with`);
      }
      for (const line of formatProfile(generation, top)) console.log(line);
      return;
    }
    const device = get.string(parsed, "device")!, dtype = get.string(parsed, "dtype");
    if (!DEVICES.includes(device)) throw new UsageError(`wattlab profile: --device "${device}" is not one of ${DEVICES.join(", ")} (profiling is onnxruntime's)`);
    if (dtype !== undefined && !DTYPES.includes(dtype)) throw new UsageError(`wattlab profile: --dtype "${dtype}" is not one of ${DTYPES.join(", ")}`);
    const sessionConfig = parseOrtConfig("profile", get.list(parsed, "ort-config"));
    const p = await profileGeneration({
      model: get.string(parsed, "model"), device: device as ExecutionProvider, quantization: dtype as Quantization | undefined,
      inputTokens: get.number(parsed, "input-tokens"), maxNewTokens: get.number(parsed, "max-new-tokens"), batch: get.number(parsed, "batch"),
      warmupRuns: get.number(parsed, "warmup"), threads: get.number(parsed, "threads"), profilePrefix: get.string(parsed, "out"),
      sessionConfig,
    });
    if (sessionConfig) console.log(`onnxruntime session config: ${Object.entries(sessionConfig).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    for (const line of formatProfile(p, top)) console.log(line);
  },
};
