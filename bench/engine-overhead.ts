// What wattlab's engine adds to a decode step: median seconds per step through OnnxRuntimeEngine.generate
// against a bare session.run of the engine's own session fed the very same inputs (same tokens, same KV
// cache lengths), in the same process, repeats interleaved (order alternating) so that drift hits both
// alike. Goal: overhead under 5 %.
//   node --import tsx bench/engine-overhead.ts [modelDir] [device]
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { ExecutionProvider } from "../src/engine/types.js";
import { OnnxRuntimeEngine } from "../src/engine/onnxruntime/engine.js";
import { LeftPaddedBatch } from "../src/engine/onnxruntime/batch.js";
import { createSession, tensor, type OrtFeeds, type OrtSession, type OrtTensor } from "../src/engine/onnxruntime/session.js";
import { percentile } from "../src/util/stats.js";
import { pairedRatios } from "./ratios.js";

export interface EngineOverheadOptions {
  device?: ExecutionProvider;
  promptTokens?: number;
  newTokens?: number;
  repeats?: number;
  threads?: number;
}

/** One bare generation replaying `tokens`: returns the seconds of each decode step's session.run alone. */
async function bareDecodeSteps(session: OrtSession, engine: OnnxRuntimeEngine, prompt: number[], tokens: number[]): Promise<number[]> {
  const sig = engine.signature;
  const batch = new LeftPaddedBatch([prompt], 0);
  const id = (type: "int32" | "int64", data: Int32Array | BigInt64Array, dims: number[]): OrtTensor =>
    type === "int64" ? tensor("int64", data as BigInt64Array, dims) : tensor("int32", data as Int32Array, dims);
  const feeds = (ids: Int32Array | BigInt64Array, positions: Int32Array | BigInt64Array, steps: number, seqLen: number, past: OrtTensor[]): OrtFeeds => {
    const f: OrtFeeds = { [sig.inputIds.name]: id(sig.inputIds.type, ids, [1, seqLen]) };
    if (sig.attentionMask) f[sig.attentionMask.name] = id(sig.attentionMask.type, batch.mask(sig.attentionMask.type, steps), [1, batch.promptLength + steps]);
    if (sig.positionIds) f[sig.positionIds.name] = id(sig.positionIds.type, positions, [1, seqLen]);
    if (sig.useCacheBranch) f[sig.useCacheBranch] = tensor("bool", new Uint8Array([steps > 0 ? 1 : 0]), [1]);
    sig.layers.forEach((layer, i) => { f[layer.pastKey] = past[2 * i]; f[layer.pastValue] = past[2 * i + 1]; });
    return f;
  };
  const dims = [1, sig.kvHeads, 0, sig.headSize];
  let past: OrtTensor[] = sig.layers.flatMap(() => [0, 1].map(() =>
    sig.kvType === "float16" ? tensor("float16", new Uint16Array(0), dims) : tensor("float32", new Float32Array(0), dims)));
  const positionType = sig.positionIds?.type ?? "int64";
  let outputs = await session.run(feeds(batch.prefillIds(sig.inputIds.type), batch.prefillPositions(positionType), 0, batch.promptLength, past));
  const stepS: number[] = [];
  for (let step = 1; step < tokens.length; step++) {
    past = sig.layers.flatMap((layer) => [outputs[layer.presentKey], outputs[layer.presentValue]]);
    const f = feeds(batch.decodeIds(sig.inputIds.type, [tokens[step - 1]]), batch.decodePositions(positionType, step), step, 1, past);
    const started = performance.now();
    outputs = await session.run(f);
    stepS.push((performance.now() - started) / 1000);
    for (const t of past) if (t.location === "gpu-buffer") t.dispose();
  }
  for (const layer of sig.layers) for (const name of [layer.presentKey, layer.presentValue]) if (outputs[name].location === "gpu-buffer") outputs[name].dispose();
  return stepS;
}

/**
 * Median decode-step time through the engine and through bare session.run, and tokens/s. Each repeat is one
 * engine generation and one bare replay of its tokens, their order alternating; `overheadRatio` is the
 * median of the per-repeat ratios (engine median step / bare median step), `overheadRatioMin/Max` their
 * spread. The step medians are over all repeats' steps pooled.
 */
export async function benchEngineOverhead(modelDir: string, options: EngineOverheadOptions = {}): Promise<Record<string, number | string>> {
  const { device = "cpu", promptTokens = 32, newTokens = 64, repeats = 5, threads } = options;
  // The bare replay runs on the engine's own session: two sessions of one model differ by themselves (on the
  // 2-core development machine an A/A run of two engines found the first-opened one 5-13 % slower).
  let shared: OrtSession | undefined;
  const engine = await OnnxRuntimeEngine.open({ modelDir, device, threads }, async (path, options) => (shared = await createSession(path, options)));
  const session = shared!;
  try {
    const vocab = engine.info.vocabSize;
    const prompt = Array.from({ length: promptTokens }, (_, i) => (100 + ((i * 37) % 1000)) % vocab);
    const request = { promptIds: [prompt], maxNewTokens: newTokens, fixedLength: true };
    const warm = await engine.generate(request);
    // greedy on a fixed prompt: every repeat makes these tokens, so a bare replay may run before its engine run
    const tokens = warm.outputIds[0];
    await bareDecodeSteps(session, engine, prompt, tokens);
    const engineStepS: number[] = [];
    const bareStepS: number[] = [];
    const engineRepeatS: number[] = [];
    const bareRepeatS: number[] = [];
    let engineTotalS = 0;
    for (let r = 0; r < repeats; r++) {
      const runEngine = async () => {
        const result = await engine.generate(request);
        engineTotalS += result.totalS;
        return result.decodeStepS;
      };
      const runBare = () => bareDecodeSteps(session, engine, prompt, tokens);
      let engineSteps: number[];
      let bareSteps: number[];
      if (r % 2 === 0) { engineSteps = await runEngine(); bareSteps = await runBare(); } else { bareSteps = await runBare(); engineSteps = await runEngine(); }
      engineStepS.push(...engineSteps);
      bareStepS.push(...bareSteps);
      engineRepeatS.push(percentile(engineSteps, 50));
      bareRepeatS.push(percentile(bareSteps, 50));
    }
    const engineMedianS = percentile(engineStepS, 50);
    const bareMedianS = percentile(bareStepS, 50);
    const ratios = pairedRatios(engineRepeatS, bareRepeatS);
    const ratio = ratios.median;
    const record = {
      model: modelDir, device, weightForm: engine.info.weightForm, promptTokens, newTokens, repeats,
      engineStepMedianS: engineMedianS, bareStepMedianS: bareMedianS, overheadPerStepS: engineMedianS - bareMedianS,
      overheadRatio: ratio, overheadRatioMin: ratios.min, overheadRatioMax: ratios.max, overheadPct: (ratio - 1) * 100,
      engineDecodeTokensPerS: 1 / engineMedianS, bareDecodeTokensPerS: 1 / bareMedianS,
      engineEndToEndTokensPerS: (newTokens * repeats) / engineTotalS,
    };
    console.log(`engine-overhead ${device} ${engine.info.weightForm}: step ${(engineMedianS * 1e3).toFixed(3)} ms (engine) vs ` +
      `${(bareMedianS * 1e3).toFixed(3)} ms (bare session.run), ratio ${ratio.toFixed(3)} ` +
      `(repeats ${record.overheadRatioMin.toFixed(3)}–${record.overheadRatioMax.toFixed(3)}; ${record.overheadPct.toFixed(1)} % overhead, goal < 5 %), ` +
      `${record.engineDecodeTokensPerS.toFixed(1)} tokens/s decode, ${record.engineEndToEndTokensPerS.toFixed(1)} tokens/s end to end`);
    return record;
  } finally {
    await engine.dispose(); // releases the shared session
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { sharedPath } = await import("../test/support/shared.js");
  const fallback = sharedPath("fixtures/models/tiny-random-llama-fp16");
  const modelDir = process.argv[2] ?? (fallback.skip ? "" : fallback.path);
  if (!modelDir) {
    console.error(`usage: bench/engine-overhead.ts <modelDir> [cpu|webgpu|cuda] (${fallback.skip})`);
    process.exitCode = 1;
  } else {
    console.log(JSON.stringify(await benchEngineOverhead(modelDir, { device: (process.argv[3] ?? "cpu") as ExecutionProvider }), null, 2));
  }
}
