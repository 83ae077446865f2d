// wattlab serve: an OpenAI-compatible server over one model until SIGINT/SIGTERM. Prints exactly one line on stdout
// once it listens (a parent started with --port 0 reads the URL from it); notes and warnings go to stderr.
import { serveModel } from "../../lab/serve.js";
import { FLASH_ATTENTION, type EngineName, type ExecutionProvider } from "../../engine/types.js";
import { ENGINES as ENGINE_NAMES, QUANTIZATIONS, type Quantization } from "../../sweep/dimensions.js";
import { get, UsageError, type CommandSpec, type ParsedArgs } from "../args.js";
import { ORT_CONFIG_OPTION, parseOrtConfig } from "../ort-config.js";
import { THREADS_HELP } from "../sweep-options.js";

const ENGINES: readonly string[] = ENGINE_NAMES;
const DEVICES = ["cpu", "webgpu", "cuda", "vulkan", "auto"];
const METERS = ["auto", "none"] as const;

export const serveCommand: CommandSpec = {
  name: "serve",
  summary: "serve a model over an OpenAI-compatible HTTP API, each answer's usage carrying its energy",
  usage: "wattlab serve --model <preset|dir|file.gguf> [--engine onnxruntime|llama.cpp] [--device cpu|cuda|vulkan|webgpu|auto] [--host 127.0.0.1] [--port 8080] [--max-concurrency 16] [--meter auto|none]",
  options: [
    { name: "model", kind: "string", help: "a preset (built on first use: tiny, llama-2-7b, …), a model folder or a .gguf file", default: "tiny" },
    { name: "engine", kind: "string", help: ENGINES.join(" | ") + " (default: llama.cpp for a .gguf file, onnxruntime otherwise)" },
    { name: "device", kind: "string", help: DEVICES.join(" | "), default: "cpu" },
    { name: "quantization", kind: "string", help: QUANTIZATIONS.join(" | ") + " (presets are built as fp32 unless given; a folder runs what it holds)" },
    { name: "host", kind: "string", help: "address to listen on", default: "127.0.0.1" },
    { name: "port", kind: "number", whole: true, min: 0, max: 65535, help: "port to listen on; 0 takes any free port (the printed line says which)", default: 8080 },
    { name: "max-concurrency", kind: "number", whole: true, min: 1, help: "requests generating at once (llama.cpp: sequences of one context; onnxruntime: largest batch); more wait in line", default: 16 },
    { name: "batch-wait-ms", kind: "number", min: 0, help: "onnxruntime: how long a batch waits for more requests to join it", default: 10 },
    { name: "context-size", kind: "number", whole: true, min: 1, help: "llama.cpp: tokens per request (prompt + max_tokens); default the model's context, at most 2048" },
    { name: "meter", kind: "string", help: "auto: measure energy (GPUs by NVML, CPU by RAPL or estimate); none: energy_j null", default: "auto", choices: METERS },
    { name: "gpus", kind: "list", help: "NVML indices the meter counts, or none (default: the visible GPUs)" },
    { name: "served-model-name", kind: "string", help: "the name clients send as model (default: the preset's or file's name)" },
    { name: "threads", kind: "number", whole: true, min: 1, help: THREADS_HELP },
    { name: "flash-attention", kind: "string", help: "llama.cpp: flash attention auto (node-llama-cpp's default: on where the backend supports it), on or off", choices: FLASH_ATTENTION },
    ORT_CONFIG_OPTION,
    { name: "yes", kind: "boolean", help: "go ahead with a 7B-class preset as fp32 on the CPU" },
  ],
  async run(parsed) {
    const options = serveOptions(parsed);
    const served = await serveModel(options);
    for (const note of served.notes) console.error(`note: ${note}`);
    console.log(`wattlab serve: listening on ${served.url} (model ${served.modelName}, engine ${served.info.engine}, device ${served.info.device})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await served.close();
  },
};

function serveOptions(parsed: ParsedArgs): Parameters<typeof serveModel>[0] {
  const engine = get.string(parsed, "engine");
  const device = get.string(parsed, "device")!;
  const quantization = get.string(parsed, "quantization");
  if (engine !== undefined && !ENGINES.includes(engine)) throw new UsageError(`wattlab serve: --engine "${engine}" is not one of ${ENGINES.join(", ")}`);
  if (!DEVICES.includes(device)) throw new UsageError(`wattlab serve: --device "${device}" is not one of ${DEVICES.join(", ")}`);
  if (quantization !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantization)) {
    throw new UsageError(`wattlab serve: --quantization "${quantization}" is not one of ${QUANTIZATIONS.join(", ")}`);
  }
  // --port, --batch-wait-ms, --threads, --max-concurrency and --context-size are bounded where they are parsed
  const port = get.number(parsed, "port")!;
  const batchWaitMs = get.number(parsed, "batch-wait-ms")!;
  const sessionConfig = parseOrtConfig("serve", get.list(parsed, "ort-config"));
  if (sessionConfig && engine === "llama.cpp") throw new UsageError("wattlab serve: --ort-config sets onnxruntime session config entries; --engine llama.cpp takes none");
  const gpuList = get.list(parsed, "gpus");
  const gpus = gpuList.length === 0 ? "visible" as const : gpuList.length === 1 && gpuList[0] === "none" ? "none" as const : gpuList.map((g) => {
    const n = Number(g);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`wattlab serve: --gpus "${g}" is not a GPU index; write e.g. --gpus 0,1 or --gpus none`);
    return n;
  });
  return {
    model: get.string(parsed, "model"), engine: engine as EngineName | undefined, device: device as ExecutionProvider | "vulkan" | "auto",
    quantization: quantization as Quantization | undefined, threads: get.number(parsed, "threads"), sessionConfig,
    flashAttention: get.choice(parsed, "flash-attention", FLASH_ATTENTION),
    host: get.string(parsed, "host"), port, maxConcurrency: get.number(parsed, "max-concurrency"), batchWaitMs,
    contextSize: get.number(parsed, "context-size"),
    meter: get.choice(parsed, "meter", METERS) === "none" ? "none" : { gpus },
    servedModelName: get.string(parsed, "served-model-name"), yes: get.boolean(parsed, "yes"),
  };
}
