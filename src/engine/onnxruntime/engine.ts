// The onnxruntime Engine: greedy generation over a decoder with KV cache. Prefill runs the left-padded
// prompts with an empty past; each decode step feeds the previous run's present.* tensors back as
// past_key_values.* (on WebGPU they stay on the GPU). Timings cover only the engine's own work: hooks
// are awaited between the timed regions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Engine, EngineInfo, ExecutionProvider, GenerateRequest, GenerationHooks, GenerationResult } from "../types.js";
import { argmaxLastPosition } from "./argmax.js";
import { LeftPaddedBatch } from "./batch.js";
import { detectModelLayout, graphUsesMatMulNBits, modelFileLabel, optimumChoiceNote, type ModelLayout, type WeightDtype } from "./layout.js";
import { assertExecutionProvider } from "./providers.js";
import { createSession, ortVersion, tensor, type OrtFeeds, type OrtSession, type OrtTensor } from "./session.js";
import { readGraphOutputNames } from "./graph-outputs.js";
import { findProfileFile } from "./profile.js";
import { isPresentName, readDecoderSignature, type DecoderSignature } from "./signature.js";

export interface OnnxRuntimeEngineOptions {
  /** A local model folder (onnxruntime-genai, optimum / onnx-community, or a wattlab build). */
  modelDir: string;
  device?: ExecutionProvider;
  /** optimum layouts: which onnx/model_<dtype>.onnx; other layouts: checked against the graph. */
  dtype?: string;
  /** CPU intra-op threads. */
  threads?: number;
  /** Stop ids instead of the model config's (e.g. a chat model's end-of-turn token). */
  eosTokenIds?: number[];
  /** Id fed on pads and to finished rows; default: the config's pad, else its first EOS, else 0. */
  padTokenId?: number;
  /** webgpu only: "device" (default) keeps present.* on the GPU and feeds them back; "host" copies the KV
   * cache to and from the CPU every step (to measure what residency saves). */
  kvCache?: "device" | "host";
  /** Profile every session run with onnxruntime's profiler into `<prefix>_<date>.json`; see endProfiling. */
  profilePrefix?: string;
  /** onnxruntime session config entries, key → value (e.g. "ep.webgpuexecutionprovider.validationMode": "disabled"). */
  sessionConfig?: Readonly<Record<string, string>>;
}

/** The weight form to report, and the dtypes a `dtype` option may name for this model (null: anything). */
function inferWeightForm(layout: ModelLayout, signature: DecoderSignature): { accepts: readonly WeightDtype[] | null; label: string } {
  const file = modelFileLabel(layout);
  if (layout.weightForm) return { accepts: layout.dtype ? [layout.dtype] : null, label: layout.weightForm };
  if (layout.dtype) {
    const names: Record<WeightDtype, string> = {
      fp32: "fp32", fp16: "fp16", int8: "int8", int4: "int4 MatMulNBits, fp32 activations", q4f16: "int4 MatMulNBits, fp16 activations",
    };
    return { accepts: [layout.dtype], label: `${names[layout.dtype]} (${file})` };
  }
  // A genai folder states no precision: the graph tells (MatMulNBits holds 4- or 8-bit weights).
  const nbits = graphUsesMatMulNBits(layout.modelPath);
  const activations = signature.kvType === "float16" ? "fp16" : "fp32";
  if (nbits) return { accepts: ["int4", "q4f16", "int8"], label: `MatMulNBits quantized, ${activations} activations (${file})` };
  if (nbits === false) return { accepts: [activations], label: `${activations} (${file})` };
  return { accepts: null, label: `${activations} activations (${file})` };
}

function checkDtype(asked: string | undefined, accepts: readonly WeightDtype[] | null, label: string, layout: ModelLayout): void {
  if (!asked || accepts === null || layout.kind === "optimum" || (accepts as readonly string[]).includes(asked)) return;
  throw new Error(`${layout.modelPath}: holds ${label.replace(/ \(.*\)$/, "")} weights, not the dtype "${asked}" asked for ` +
    `(a ${layout.kind} folder has one model; leave dtype out or pick another folder)`);
}

export class OnnxRuntimeEngine implements Engine {
  static readonly NAME = "onnxruntime";
  private busy = false;
  private disposed = false;
  /** Where the profiler writes, while profiling is on (OnnxRuntimeEngineOptions.profilePrefix). */
  private profilePrefix: string | null = null;

  private constructor(
    readonly info: EngineInfo,
    readonly layout: ModelLayout,
    readonly signature: DecoderSignature,
    private readonly session: OrtSession,
    private readonly padTokenId: number,
  ) {}

  /** `openSession` replaces onnxruntime's session factory (tests wrap the real one to stand in for a GPU binding). */
  static async open(options: OnnxRuntimeEngineOptions, openSession: typeof createSession = createSession): Promise<OnnxRuntimeEngine> {
    const started = performance.now();
    const device = options.device ?? "cpu";
    assertExecutionProvider(device);
    const layout = detectModelLayout(options.modelDir, { dtype: options.dtype });
    // WebGPU keeps present.* on the GPU between steps; the session must name them at creation.
    const gpuOutputs = device === "webgpu" && options.kvCache !== "host" ? presentOutputNames(layout) : undefined;
    const sessionConfig = options.sessionConfig && Object.keys(options.sessionConfig).length > 0 ? { ...options.sessionConfig } : undefined;
    const session = await openSession(layout.modelPath, { device, threads: options.threads, gpuOutputs, profilePrefix: options.profilePrefix, sessionConfig });
    try {
      const signature = readDecoderSignature(session.inputMetadata, session.outputMetadata, layout.config, layout.modelPath);
      const weight = inferWeightForm(layout, signature);
      checkDtype(options.dtype, weight.accepts, weight.label, layout);
      const vocabSize = signature.vocabSize;
      if (!vocabSize) throw new Error(`${layout.modelPath}: vocabulary size unknown (logits shape symbolic and no vocab_size in the config)`);
      const contextLength = layout.config.contextLength;
      if (!contextLength) throw new Error(`${layout.dir}: context length unknown (no context_length in genai_config.json or max_position_embeddings in config.json)`);
      const eosTokenIds = options.eosTokenIds ?? layout.config.eosTokenIds;
      const padTokenId = options.padTokenId ?? layout.config.padTokenId ?? eosTokenIds[0] ?? 0;
      const choice = optimumChoiceNote(layout, options.dtype);
      const info: EngineInfo = {
        engine: "onnxruntime", device, weightForm: weight.label, backendVersion: `onnxruntime-node ${ortVersion}`,
        contextLength, vocabSize, eosTokenIds: [...eosTokenIds], loadS: (performance.now() - started) / 1000,
        ...(sessionConfig ? { sessionConfig } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(choice ? { notes: [choice] } : {}),
      };
      const engine = new OnnxRuntimeEngine(info, layout, signature, session, padTokenId);
      engine.profilePrefix = options.profilePrefix ?? null;
      return engine;
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** Where the vocabulary size in `info` comes from, for messages: the logits' width in the graph, else the config that states it. */
  vocabularySource(): string {
    const file = this.layout.modelPath;
    if (this.signature.vocabSize !== null && this.signature.vocabSize !== this.layout.config.vocabSize) return `the logits' width in ${file}`;
    const stated = ["genai_config.json", "config.json"].find((name) => {
      try {
        const json = JSON.parse(readFileSync(join(this.layout.dir, name), "utf8")) as { vocab_size?: unknown; model?: { vocab_size?: unknown } };
        return (name === "config.json" ? json.vocab_size : json.model?.vocab_size) === this.info.vocabSize;
      } catch { return false; }
    });
    return stated ? `vocab_size in ${join(this.layout.dir, stated)}` : `the logits' width in ${file}`;
  }

  /**
   * Stops the profiler (opened with profilePrefix) and returns the file it wrote; null when profiling was off.
   * Session runs after this are not recorded.
   */
  endProfiling(): string | null {
    if (!this.profilePrefix) return null;
    this.session.endProfiling();
    const file = findProfileFile(this.profilePrefix);
    this.profilePrefix = null;
    return file;
  }

  async generate(request: GenerateRequest, hooks: GenerationHooks = {}): Promise<GenerationResult> {
    if (this.disposed) throw new Error("OnnxRuntimeEngine.generate: the engine is disposed; open a new one");
    if (this.busy) throw new Error("OnnxRuntimeEngine.generate: a generation is already running on this engine; await it first");
    this.busy = true;
    try {
      return await this.run(request, hooks);
    } finally {
      this.busy = false;
    }
  }

  private async run(request: GenerateRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    const { maxNewTokens, fixedLength } = request;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new Error(`maxNewTokens must be an integer ≥ 1, got ${maxNewTokens}`);
    const batch = new LeftPaddedBatch(request.promptIds, this.padTokenId);
    const sig = this.signature;
    if (batch.padded && !sig.attentionMask) {
      throw new Error(`${this.layout.modelPath}: no attention_mask input, so prompts of different lengths cannot share a batch`);
    }
    if (batch.promptLength + maxNewTokens > this.info.contextLength) {
      throw new Error(`prompt length ${batch.promptLength} + maxNewTokens ${maxNewTokens} exceeds the context length ${this.info.contextLength}`);
    }
    const eos = new Set(this.info.eosTokenIds);
    const rows = batch.batch;
    const outputIds: number[][] = Array.from({ length: rows }, () => []);
    const done = new Array<boolean>(rows).fill(false);
    const decodeStepS: number[] = [];
    let peakRssBytes = process.memoryUsage.rss();
    let past: OrtTensor[] = this.emptyPast(rows);

    /** What the last step made per row, null for rows finished before it (afterStep's argument). */
    let stepTokens: (number | null)[] = [];
    /** Records a step's tokens; returns the ids to feed next (finished rows get the pad). */
    const accept = (tokens: number[]): number[] => tokens.map((token, r) => {
      stepTokens[r] = done[r] ? null : token;
      if (done[r]) return this.padTokenId;
      outputIds[r].push(token);
      if (!fixedLength && eos.has(token)) done[r] = true;
      return done[r] ? this.padTokenId : token;
    });

    /** One run: the consumed past is swapped for this run's presents before anything can throw, then the greedy pick. */
    const runStep = async (feeds: OrtFeeds): Promise<number[]> => {
      const outputs = await this.session.run(feeds);
      const consumed = past;
      past = this.presents(outputs);
      this.releaseInputs(consumed);
      return accept(this.greedy(outputs, rows));
    };

    try {
      await hooks.beforePrefill?.();
      let mark = performance.now();
      const prefillFeeds = this.feeds(batch, past, {
        ids: batch.prefillIds(sig.inputIds.type), positions: sig.positionIds ? batch.prefillPositions(sig.positionIds.type) : null,
        steps: 0, seqLen: batch.promptLength,
      });
      let next = await runStep(prefillFeeds);
      const prefillS = (performance.now() - mark) / 1000;
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
      await hooks.afterPrefill?.();
      let stop = (await hooks.afterStep?.([...stepTokens])) === "stop";

      for (let step = 1; !stop && step < maxNewTokens && (fixedLength || done.some((d) => !d)); step++) {
        mark = performance.now();
        const feeds = this.feeds(batch, past, {
          ids: batch.decodeIds(sig.inputIds.type, next), positions: sig.positionIds ? batch.decodePositions(sig.positionIds.type, step) : null,
          steps: step, seqLen: 1,
        });
        next = await runStep(feeds);
        decodeStepS.push((performance.now() - mark) / 1000);
        peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
        stop = (await hooks.afterStep?.([...stepTokens])) === "stop";
      }
      await hooks.afterDecode?.();

      const outputTokens = outputIds.reduce((sum, row) => sum + row.length, 0);
      return {
        outputIds, inputTokens: batch.lengths.reduce((a, b) => a + b, 0), outputTokens,
        prefillS, decodeStepS, totalS: prefillS + decodeStepS.reduce((a, b) => a + b, 0), peakRssBytes,
      };
    } finally {
      this.releaseInputs(past);
    }
  }

  /** Zero-length past key/values [batch, kv_heads, 0, head_size] for the prefill. */
  private emptyPast(rows: number): OrtTensor[] {
    const sig = this.signature;
    const dims = [rows, sig.kvHeads, 0, sig.headSize];
    return sig.layers.flatMap(() => [0, 1].map(() =>
      sig.kvType === "float16" ? tensor("float16", new Uint16Array(0), dims) : tensor("float32", new Float32Array(0), dims)));
  }

  private feeds(batch: LeftPaddedBatch, past: readonly OrtTensor[],
    step: { ids: Int32Array | BigInt64Array; positions: Int32Array | BigInt64Array | null; steps: number; seqLen: number }): OrtFeeds {
    const sig = this.signature;
    const rows = batch.batch;
    const feeds: OrtFeeds = {};
    feeds[sig.inputIds.name] = idTensor(sig.inputIds.type, step.ids, [rows, step.seqLen]);
    if (sig.attentionMask) {
      feeds[sig.attentionMask.name] = idTensor(sig.attentionMask.type, batch.mask(sig.attentionMask.type, step.steps), [rows, batch.promptLength + step.steps]);
    }
    if (sig.positionIds && step.positions) feeds[sig.positionIds.name] = idTensor(sig.positionIds.type, step.positions, [rows, step.seqLen]);
    if (sig.useCacheBranch) feeds[sig.useCacheBranch] = tensor("bool", new Uint8Array([step.steps > 0 ? 1 : 0]), [1]);
    sig.layers.forEach((layer, i) => {
      feeds[layer.pastKey] = past[2 * i];
      feeds[layer.pastValue] = past[2 * i + 1];
    });
    return feeds;
  }

  /**
   * Next token of every row. The sequence length is read off the logits, so a model that emits only
   * the last position's logits ([batch, 1, vocab], the cheap export for long prefills) works too.
   */
  private greedy(outputs: Record<string, OrtTensor>, rows: number): number[] {
    const logits = outputs[this.signature.logits.name];
    const [, seqLen, vocab] = logits.dims;
    return argmaxLastPosition(logits.data as Uint16Array | Float32Array, rows, seqLen, vocab);
  }

  /** present.* of a run, in past order: fed to the next step as they are (GPU tensors stay on the GPU). */
  private presents(outputs: Record<string, OrtTensor>): OrtTensor[] {
    return this.signature.layers.flatMap((layer) => [outputs[layer.presentKey], outputs[layer.presentValue]]);
  }

  /** GPU-resident tensors hold device memory until disposed; CPU ones are left to the garbage collector. */
  private releaseInputs(past: readonly OrtTensor[]): void {
    for (const t of past) if (t.location === "gpu-buffer") t.dispose();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

function idTensor(type: "int32" | "int64", data: Int32Array | BigInt64Array, dims: number[]): OrtTensor {
  return type === "int64" ? tensor("int64", data as BigInt64Array, dims) : tensor("int32", data as Int32Array, dims);
}

/** The present.* output names, read from the graph without loading it (a WebGPU session needs them at creation). */
function presentOutputNames(layout: ModelLayout): string[] {
  const names = readGraphOutputNames(layout.modelPath).filter((name) => isPresentName(name, layout.config.kvNameTemplates));
  if (names.length === 0) throw new Error(`${layout.modelPath}: no present key/value outputs (present.N.key …) in the graph`);
  return names;
}

export async function openOnnxRuntimeEngine(options: OnnxRuntimeEngineOptions): Promise<OnnxRuntimeEngine> {
  return OnnxRuntimeEngine.open(options);
}
