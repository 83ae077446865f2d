// wattlab generate: one metered generation, printed as a table or JSON.
import { describeEnergyWindow, measureGeneration } from "../../lab/measure.js";
import { MIN_RESOLVED_UPDATES } from "../../meter/resolution.js";
import { FLASH_ATTENTION, type EngineName, type ExecutionProvider } from "../../engine/types.js";
import { ENGINES as ENGINE_NAMES, QUANTIZATIONS, type DatasetName, type Quantization } from "../../sweep/dimensions.js";
import { percentiles } from "../../util/stats.js";
import { get, UsageError, type CommandSpec } from "../args.js";
import { ORT_CONFIG_OPTION, parseOrtConfig } from "../ort-config.js";
import { THREADS_HELP } from "../sweep-options.js";
import { carbonReportLines, effectiveCarbon, EMBODIED_OPTIONS, GRID_OPTIONS, meterCarbon } from "../carbon-options.js";

const ENGINES: readonly string[] = ENGINE_NAMES;
const DEVICES = ["cpu", "webgpu", "cuda", "vulkan", "auto"];
const DTYPES: readonly string[] = QUANTIZATIONS;
const KV_CACHE = ["device", "host"] as const;

const MEASUREMENTS = ["repeated", "window"] as const;


export const generateCommand: CommandSpec = {
  name: "generate",
  summary: "generate tokens with a model and report timings and energy",
  usage: "wattlab generate --model <preset|dir|file.gguf> [--engine onnxruntime|llama.cpp] [--dtype fp16] [--device cpu|webgpu|cuda|vulkan|auto] [--prompt TEXT | --input-tokens N] [--batch B] --max-new-tokens N [--fixed-length] [--ort-config KEY=VALUE ...] [--json]",
  options: [
    { name: "model", kind: "string", help: "a preset (built on first use: tiny, llama-2-7b, …), a model folder or a .gguf file", default: "tiny" },
    { name: "engine", kind: "string", help: ENGINES.join(" | ") + " (default: llama.cpp for a .gguf file, onnxruntime otherwise)" },
    { name: "dtype", kind: "string", help: DTYPES.join(" | ") + " (default: presets are built as fp32; a model folder runs what it holds; an optimum folder with several files picks by it)" },
    { name: "device", kind: "string", help: DEVICES.join(" | ") + " (auto: the best available for the engine — onnxruntime cuda → webgpu → cpu, llama.cpp cuda → vulkan → cpu)", default: "cpu" },
    { name: "prompt", kind: "string", help: "prompt text (repeated --batch times)" },
    { name: "input-tokens", kind: "number", whole: true, min: 1, help: "exactly N prompt tokens from --dataset instead of --prompt", default: 32 },
    { name: "dataset", kind: "string", help: "alpaca | gsm8k | synthetic, for --input-tokens", default: "synthetic" },
    { name: "batch", kind: "number", whole: true, min: 1, help: "prompts generated together", default: 1 },
    { name: "max-new-tokens", kind: "number", whole: true, min: 1, help: "new tokens per prompt", default: 16 },
    { name: "fixed-length", kind: "boolean", help: "ignore EOS: exactly --max-new-tokens per prompt" },
    { name: "warmup", kind: "number", whole: true, min: 0, help: "unmetered warm-up generations", default: 1 },
    { name: "threads", kind: "number", whole: true, min: 1, help: THREADS_HELP },
    { name: "flash-attention", kind: "string", help: "llama.cpp: flash attention auto (node-llama-cpp's default: on where the backend supports it), on or off", choices: FLASH_ATTENTION },
    { name: "measurement", kind: "string", help: "repeated: energy from the request back to back in one window until the energy counter resolves it, then its prefills likewise, each ÷ its count; window: the one traced generation's own prefill and decode windows (flagged when too short for the counter)", default: "repeated", choices: MEASUREMENTS },
    { name: "kv-cache", kind: "string", help: "onnxruntime webgpu: device (KV stays on the GPU) or host (copied every step)", default: "device", choices: KV_CACHE },
    ORT_CONFIG_OPTION,
    { name: "yes", kind: "boolean", help: "go ahead with a 7B-class preset as fp32 on the CPU (a ~27 GB build, seconds per token)" },
    { name: "json", kind: "boolean", help: "print the whole measurement as JSON" },
    ...GRID_OPTIONS,
    ...EMBODIED_OPTIONS,
  ],
  async run(parsed) {
    const engine = get.string(parsed, "engine");
    const device = get.string(parsed, "device")!;
    const dtype = get.string(parsed, "dtype");
    if (engine !== undefined && !ENGINES.includes(engine)) throw new UsageError(`wattlab generate: --engine "${engine}" is not one of ${ENGINES.join(", ")}`);
    if (!DEVICES.includes(device)) throw new UsageError(`wattlab generate: --device "${device}" is not one of ${DEVICES.join(", ")}`);
    if (dtype !== undefined && !DTYPES.includes(dtype)) throw new UsageError(`wattlab generate: --dtype "${dtype}" is not one of ${DTYPES.join(", ")}`);
    const batch = get.number(parsed, "batch")!;
    const maxNew = get.number(parsed, "max-new-tokens")!;
    const carbonSetting = effectiveCarbon(parsed, "generate");
    const carbon = meterCarbon(carbonSetting, "generate");
    const sessionConfig = parseOrtConfig("generate", get.list(parsed, "ort-config"));
    if (sessionConfig && engine === "llama.cpp") {
      throw new UsageError(`wattlab generate: --ort-config sets onnxruntime session config entries; --engine ${engine} takes none (leave --ort-config out or use --engine onnxruntime)`);
    }
    const m = await measureGeneration({
      model: get.string(parsed, "model"), engine: engine as EngineName | undefined, device: device as ExecutionProvider | "vulkan" | "auto",
      quantization: dtype as Quantization | undefined, prompt: get.string(parsed, "prompt"), inputTokens: get.number(parsed, "input-tokens"),
      dataset: get.string(parsed, "dataset") as DatasetName, batch, maxNewTokens: maxNew,
      fixedLength: get.boolean(parsed, "fixed-length"), warmupRuns: get.number(parsed, "warmup"), threads: get.number(parsed, "threads"),
      kvCache: get.choice(parsed, "kv-cache", KV_CACHE), sessionConfig, yes: get.boolean(parsed, "yes"),
      flashAttention: get.choice(parsed, "flash-attention", FLASH_ATTENTION),
      measurement: get.choice(parsed, "measurement", MEASUREMENTS), meter: { carbon },
    });
    if (get.boolean(parsed, "json")) {
      console.log(JSON.stringify({ ...m, trace: undefined }, null, 2));
      return;
    }
    const steps = percentiles(m.result.decodeStepS, [50, 90, 99]);
    const r = m.result;
    const lines: [string, string][] = [
      ["model", `${m.modelDir} (${m.info.engine}, ${m.info.device}, ${m.info.weightForm})`],
      ...(m.info.sessionConfig ? [["onnxruntime config", Object.entries(m.info.sessionConfig).map(([k, v]) => `${k}=${v}`).join(" ")] as [string, string]] : []),
      ...(m.info.flashAttention ? [["flash attention", m.info.flashAttention] as [string, string]] : []),
      ["load", `${m.info.loadS.toFixed(3)} s`],
      ["tokens in / out", `${r.inputTokens} / ${r.outputTokens}`],
      ["prefill (TTFT)", `${r.prefillS.toFixed(4)} s`],
      ["decode step p50/p90/p99", `${(steps.p50 * 1e3).toFixed(2)} / ${(steps.p90 * 1e3).toFixed(2)} / ${(steps.p99 * 1e3).toFixed(2)} ms`],
      ["total", `${r.totalS.toFixed(3)} s, ${(r.outputTokens / r.totalS).toFixed(1)} tokens/s`],
      ["peak RSS", `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MB`],
      ["energy window", describeEnergyWindow(m.energyWindow)],
      ["energy prefill / decode", `${m.prefill.totalEnergyJ.toFixed(3)} / ${m.decode.totalEnergyJ.toFixed(3)} J${m.energyWindow.measurement === "repeated" ? " per generation" : ""}`],
      ["decode J per output token", `${m.decodeJPerToken.toFixed(4)} J`],
      ["energy sources", `gpu:${m.meterSources.gpu} cpu:${m.meterSources.cpu} dram:${m.meterSources.dram}`],
      ...carbonReportLines(m.generation.carbon ?? null, carbonSetting, m.generation.seconds).map((line): [string, string] => ["carbon", line]),
      ["text (row 0)", JSON.stringify(m.text.slice(0, 200))],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    for (const [k, v] of lines) console.log(`${k.padEnd(width)}  ${v}`);
    for (const note of m.notes) console.log(`note: ${note}`);
    if (m.energyWindow.belowResolution) {
      console.log(`note: the energy ${m.energyWindow.measurement === "window" ? "windows span" : "window spans"} fewer than ${MIN_RESOLVED_UPDATES} updates of the energy counter: ` +
        `the figures read the counter's steps as much as the work${m.energyWindow.measurement === "window" ? "; leave out --measurement window" : ""}`);
    }
    if (m.meterSources.cpu === "estimated") console.log("note: CPU energy is ESTIMATED (TDP × utilisation): no RAPL counter could be read here");
  },
};
