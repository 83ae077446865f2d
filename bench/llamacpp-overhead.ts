// What wattlab's llama.cpp engine adds to a decode step, and what node-llama-cpp's own step costs: median seconds
// per step through LlamaCppEngine.generate against a bare loop of controlledEvaluate calls (one token in, one
// greedy token out) on a second context of the same loaded model, repeats alternating. On a model as small as
// stories260K the compute is microseconds, so the bare step is node-llama-cpp's per-step host cost (addon call,
// worker-thread hop, sampling): an upper bound on the host share of a GPU decode step.
import { performance } from "node:perf_hooks";
import type { LlamaModel, Token } from "node-llama-cpp";
import { loadLlama } from "../src/engine/llamacpp/backend.js";
import { LlamaCppEngine } from "../src/engine/llamacpp/engine.js";
import type { EngineInfo } from "../src/engine/types.js";
import { percentile } from "../src/engine/stats.js";
import { pairedRatios } from "./ratios.js";

export interface LlamaCppOverheadOptions {
  newTokens?: number;
  repeats?: number;
  threads?: number;
}

const GREEDY = { temperature: 0 } as const;

async function bareSteps(model: LlamaModel, prompt: number[], newTokens: number, threads: number): Promise<number[]> {
  const context = await model.createContext({ sequences: 1, contextSize: 256, batchSize: 256, threads });
  try {
    const seq = context.getSequence();
    const first = await seq.controlledEvaluate([...prompt.slice(0, -1) as Token[], [prompt[prompt.length - 1] as Token, { generateNext: { token: true, options: GREEDY } }]]);
    let token = first[prompt.length - 1]?.next.token;
    const stepS: number[] = [];
    for (let i = 1; i < newTokens; i++) {
      if (token == null) throw new Error("llama.cpp returned no token in the bare loop");
      const started = performance.now();
      const r = await seq.controlledEvaluate([[token, { generateNext: { token: true, options: GREEDY } }]]);
      stepS.push((performance.now() - started) / 1000);
      token = r[0]?.next.token;
    }
    return stepS;
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
    await bareSteps(model, prompt, newTokens, threads);
    const engineMedians: number[] = [];
    const bareMedians: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const runEngine = async () => engineMedians.push(percentile((await engine.generate(request)).decodeStepS, 50));
      const runBare = async () => bareMedians.push(percentile(await bareSteps(model, prompt, newTokens, threads), 50));
      if (r % 2 === 0) { await runEngine(); await runBare(); } else { await runBare(); await runEngine(); }
    }
    const ratio = pairedRatios(engineMedians, bareMedians);
    return {
      repeats, newTokens, threads,
      engineStepMedianS: percentile(engineMedians, 50), bareStepMedianS: percentile(bareMedians, 50),
      overheadRatio: ratio.median, overheadRatioMin: ratio.min, overheadRatioMax: ratio.max,
    };
  } finally {
    await engine.dispose();
  }
}
