// Named sweeps: the seed study, and its scaled-down forms that run on a CPU in seconds.
import { DEFAULT_SEED, validateSpec, type SweepSpec } from "./spec.js";

/**
 * How the seed study generated: one warm-up per shape, no cooldown or shuffling, exact output lengths, raw
 * prompts. Built-in sweeps run anywhere: without the Alpaca/GSM8K files they measure the synthetic
 * look-alikes and every row says so (dataset_used).
 */
const STUDY_PROTOCOL = {
  warmupRuns: 1, cooldown: null, shuffleSeed: null, seed: DEFAULT_SEED, fixedLength: true, chatTemplate: false, datasetFallback: true,
} as const satisfies Partial<SweepSpec>;

/**
 * The Python seed study's grid, varied one dimension at a time around a base of input 128, output 128,
 * batch 1, fp16, Alpaca, Llama-2-7B. The seed ran PyTorch on CUDA; here the base device is WebGPU because it needs
 * only a GPU driver with Vulkan, while onnxruntime-node 1.30's CUDA provider needs binaries outside the npm package
 * plus CUDA 12 and cuDNN 9 (hosts with only CUDA 13 cannot load it): override with `--device cuda`
 * (or `"base": {"device": "cuda"}`) where it loads.
 * 1 base + 2 input + 2 output + 2 batch + 2 quantization + 1 dataset + 1 model = 11 configurations × 3 repetitions.
 */
export const SEED_STUDY: SweepSpec = {
  name: "seed-study",
  mode: "one-at-a-time",
  base: {
    model: "llama-2-7b", engine: "onnxruntime", device: "webgpu", quantization: "fp16", dataset: "alpaca",
    inputLength: 128, outputLength: 128, batchSize: 1,
  },
  dimensions: {
    input_length: [128, 512, 1024],
    output_length: [128, 512, 1024],
    batch_size: [1, 2, 4],
    quantization: ["fp16", "int8", "int4"],
    dataset: ["alpaca", "gsm8k"],
    model: ["llama-2-7b", "deepseek-r1-distill-qwen-7b"],
  },
  repetitions: 3,
  ...STUDY_PROTOCOL,
};

/** The main job's sweep: the tiny model on the CPU, batch 1/2/4 at input 32, output 16; 3 configurations × 2. */
export const TINY_BATCH: SweepSpec = {
  name: "tiny-batch",
  mode: "one-at-a-time",
  base: {
    model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp32", dataset: "alpaca",
    inputLength: 32, outputLength: 16, batchSize: 1,
  },
  dimensions: { batch_size: [1, 2, 4] },
  repetitions: 2,
  ...STUDY_PROTOCOL,
  // the CPU estimate needs only a few /proc/stat samples; keeps the repeated-prefill loop cheap per run
  prefillMinS: 0.2,
};

/**
 * The seed study's shape at tiny scale on the CPU: lengths 16/64/128 for 128/512/1024, the tiny Llama and
 * tiny Qwen2 presets for Llama-2-7B and the DeepSeek Qwen distill; 11 configurations × 3 repetitions.
 */
export const TINY_SEED_STUDY: SweepSpec = {
  ...SEED_STUDY,
  name: "tiny-seed-study",
  prefillMinS: 0.2, // ~40 configurations × repetitions: a 1 s loop per run would dominate the sweep
  base: {
    model: "tiny", engine: "onnxruntime", device: "cpu", quantization: "fp16", dataset: "alpaca",
    inputLength: 16, outputLength: 16, batchSize: 1,
  },
  dimensions: {
    input_length: [16, 64, 128],
    output_length: [16, 64, 128],
    batch_size: [1, 2, 4],
    quantization: ["fp16", "int8", "int4"],
    dataset: ["alpaca", "gsm8k"],
    model: ["tiny", "tiny-qwen2"],
  },
};

export const BUILTIN_SPECS: Readonly<Record<string, SweepSpec>> = {
  "seed-study": SEED_STUDY,
  "tiny-batch": TINY_BATCH,
  "tiny-seed-study": TINY_SEED_STUDY,
};

/** A copy of a built-in spec (safe to modify). */
export function builtinSpec(name: string): SweepSpec {
  const spec = BUILTIN_SPECS[name];
  if (!spec) throw new Error(`unknown built-in sweep "${name}". Should be one of: ${Object.keys(BUILTIN_SPECS).join(", ")}; or pass --spec FILE.json`);
  return validateSpec(structuredClone(spec), () => undefined);
}
