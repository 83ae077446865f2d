// What wattlab's llama.cpp engine adds to a decode step, and what node-llama-cpp's own step costs: median seconds
// per step through LlamaCppEngine.generate against a bare loop of controlledEvaluate calls (one token in, one
// greedy token out) on a second context of the same loaded model, repeats alternating. On a model as small as
// stories260K the compute is microseconds, so the bare step is node-llama-cpp's per-step host cost (addon call,
// worker-thread hop, sampling): an upper bound on the host share of a GPU decode step. llama.cpp's own perf
// counters (its eval time per one-token decode) split the bare step into llama_decode and node-llama-cpp's share.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LlamaLogLevel, type Llama, type LlamaContext, type LlamaModel, type Token } from "node-llama-cpp";
import { loadLlama } from "../src/engine/llamacpp/backend.js";
import { LlamaCppEngine } from "../src/engine/llamacpp/engine.js";
import { buildGguf } from "../src/models/gguf/build.js";
import { getPreset } from "../src/models/presets.js";
import type { EngineInfo } from "../src/engine/types.js";
import { percentile } from "../src/util/stats.js";
import { pairedRatios } from "./ratios.js";

export interface LlamaCppOverheadOptions {
  newTokens?: number;
  repeats?: number;
  threads?: number;
}

const GREEDY = { temperature: 0 } as const;

/** llama.cpp's one-token decodes ("eval time … runs") since the context's last print, read off its log. */
async function llamaEvalTiming(llama: Llama, context: LlamaContext): Promise<{ ms: number; runs: number }> {
  const lines: string[] = [];
  const { logLevel, logger } = llama;
  llama.logLevel = LlamaLogLevel.info;
  llama.logger = (_level, message) => { lines.push(message); };
  try {
    await context.printTimings();
  } finally {
    llama.logLevel = logLevel;
    llama.logger = logger;
  }
  const line = lines.find((l) => /\beval time\s*=/.test(l) && !/prompt eval time/.test(l));
  const match = line?.match(/eval time\s*=\s*([\d.]+) ms\s*\/\s*(\d+) runs/);
  if (!match) throw new Error(`llama.cpp printed no one-token eval timing; it printed: ${lines.join(" | ") || "nothing"}`);
  return { ms: Number(match[1]), runs: Number(match[2]) };
}

/** Seconds per bare step, and llama.cpp's own mean seconds per one-token decode over the same steps. */
async function bareSteps(llama: Llama, model: LlamaModel, prompt: number[], newTokens: number, threads: number): Promise<{ stepS: number[]; llamaEvalS: number }> {
  const context = await model.createContext({ sequences: 1, contextSize: 256, batchSize: 256, threads, performanceTracking: true });
  try {
    const seq = context.getSequence();
    const first = await seq.controlledEvaluate([...prompt.slice(0, -1) as Token[], [prompt[prompt.length - 1] as Token, { generateNext: { token: true, options: GREEDY } }]]);
    await llamaEvalTiming(llama, context); // printing resets the counters: the prefill is not a step
    let token = first[prompt.length - 1]?.next.token;
    const stepS: number[] = [];
    for (let i = 1; i < newTokens; i++) {
      if (token == null) throw new Error("llama.cpp returned no token in the bare loop");
      const started = performance.now();
      const r = await seq.controlledEvaluate([[token, { generateNext: { token: true, options: GREEDY } }]]);
      stepS.push((performance.now() - started) / 1000);
      token = r[0]?.next.token;
    }
    const timing = await llamaEvalTiming(llama, context);
    if (timing.runs !== stepS.length) throw new Error(`llama.cpp counted ${timing.runs} one-token decodes for ${stepS.length} bare steps`);
    return { stepS, llamaEvalS: timing.ms / 1000 / timing.runs };
  } finally {
    await context.dispose();
  }
}

export async function benchLlamaCppOverhead(modelPath: string, options: LlamaCppOverheadOptions = {}): Promise<Record<string, number | string>> {
  const { newTokens = 64, repeats = 10, threads = 1 } = options;
  const llama = await loadLlama("cpu", "never");
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const vocabSize = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  const info: EngineInfo = { engine: "llama.cpp", device: "cpu", weightForm: "as stored", backendVersion: "", contextLength: model.trainContextSize, vocabSize, eosTokenIds: [], loadS: 0 };
  const engine = new LlamaCppEngine(info, model, { threads });
  try {
    const prompt = [1, 2, 3, 4, 5, 6, 7, 8].map((t) => t % vocabSize);
    const request = { promptIds: [prompt], maxNewTokens: newTokens, fixedLength: true };
    await engine.generate(request);
    await bareSteps(llama, model, prompt, newTokens, threads);
    const engineMedians: number[] = [];
    const bareMedians: number[] = [];
    const llamaEvalMeans: number[] = [];
    const llamaEvalShares: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const runEngine = async () => engineMedians.push(percentile((await engine.generate(request)).decodeStepS, 50));
      const runBare = async () => {
        const bare = await bareSteps(llama, model, prompt, newTokens, threads);
        bareMedians.push(percentile(bare.stepS, 50));
        llamaEvalMeans.push(bare.llamaEvalS);
        // each llama_decode runs inside its step, so this share is below 1 whatever the load
        llamaEvalShares.push(bare.llamaEvalS / (bare.stepS.reduce((a, b) => a + b, 0) / bare.stepS.length));
      };
      if (r % 2 === 0) { await runEngine(); await runBare(); } else { await runBare(); await runEngine(); }
    }
    const ratio = pairedRatios(engineMedians, bareMedians);
    return {
      repeats, newTokens, threads,
      engineStepMedianS: percentile(engineMedians, 50), bareStepMedianS: percentile(bareMedians, 50),
      // llama.cpp's counters give a mean per repeat; the median of those means
      llamaEvalStepS: percentile(llamaEvalMeans, 50),
      llamaEvalShareMin: Math.min(...llamaEvalShares), llamaEvalShareMax: Math.max(...llamaEvalShares),
      overheadRatio: ratio.median, overheadRatioMin: ratio.min, overheadRatioMax: ratio.max,
    };
  } finally {
    await engine.dispose();
  }
}

export interface HostShareResult {
  /** Per repeat, in repeat order: the bare step's median, llama.cpp's own mean llama_decode, and their difference. Units: s. */
  small: { stepS: number[]; decodeS: number[]; hostS: number[] };
  large: { stepS: number[]; decodeS: number[]; hostS: number[] };
  smallVocab: number;
  largeVocab: number;
}

/**
 * node-llama-cpp's host share of a one-token step (the bare step less llama.cpp's own llama_decode time: the addon
 * call, the thread hop, greedy sampling over the vocabulary, the logits read back) for two models that differ only in
 * their vocabulary, one sequence on the CPU, repeats alternating. What grows with the vocabulary is paid on the CPU
 * whatever device computes the step.
 */
export async function benchVocabularyHostShare(smallPath: string, largePath: string, options: LlamaCppOverheadOptions = {}): Promise<HostShareResult> {
  const { newTokens = 64, repeats = 10, threads = 1 } = options;
  const llama = await loadLlama("cpu", "never");
  const models = await Promise.all([smallPath, largePath].map((modelPath) => llama.loadModel({ modelPath, gpuLayers: 0 })));
  try {
    const vocab = models.map((m) => m.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0);
    const side = () => ({ stepS: [] as number[], decodeS: [] as number[], hostS: [] as number[] });
    const out = { small: side(), large: side() };
    const once = async (which: "small" | "large", keep = true) => {
      const i = which === "small" ? 0 : 1;
      const bare = await bareSteps(llama, models[i], [1, 2, 3, 4, 5, 6, 7, 8].map((t) => t % vocab[i]), newTokens, threads);
      if (!keep) return;
      const step = percentile(bare.stepS, 50);
      out[which].stepS.push(step); out[which].decodeS.push(bare.llamaEvalS); out[which].hostS.push(step - bare.llamaEvalS);
    };
    await once("small", false); await once("large", false); // warm-up
    for (let r = 0; r < repeats; r++) {
      if (r % 2 === 0) { await once("small"); await once("large"); } else { await once("large"); await once("small"); }
    }
    return { ...out, smallVocab: vocab[0], largeVocab: vocab[1] };
  } finally {
    for (const m of models) await m.dispose();
  }
}

/**
 * The two models benchVocabularyHostShare compares, written into `dir`: seeded GGUFs (f32) of one tiny Qwen2 shape
 * (2 layers, hidden 64), one with DeepSeek-R1-Distill-Qwen-7B's 152,064-token vocabulary and one with 512 tokens.
 */
export async function buildVocabularyPair(dir: string): Promise<{ small: string; large: string }> {
  const shape = { ...getPreset("deepseek-r1-distill-qwen-7b"), hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4,
    num_key_value_heads: 2, max_position_embeddings: 2048, bos_token_id: 1, eos_token_id: 2 };
  const large = join(dir, "vocab-large.gguf"), small = join(dir, "vocab-512.gguf");
  await buildGguf({ config: shape, dtype: "f32", outPath: large, name: "vocab-large" });
  await buildGguf({ config: { ...shape, vocab_size: 512 }, dtype: "f32", outPath: small, name: "vocab-512" });
  return { small, large };
}
