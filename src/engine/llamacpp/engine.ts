// The llama.cpp Engine: one context with one sequence per prompt. Each step evaluates every active row's
// token through LlamaContextSequence.controlledEvaluate; issued together, node-llama-cpp queues them into
// one llama_decode call (it dispatches at once when every sequence of the context has queued); prompts of
// unequal length, or too long for one call, prefill in two (prefillFitsOneCall says why). Greedy sampling
// runs in llama.cpp (temperature 0); EOS is an ordinary token here, so fixedLength just keeps going.
import { performance } from "node:perf_hooks";
import type { ControlledEvaluateInputItem, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { Engine, EngineInfo, FlashAttention, GenerateRequest, GenerationHooks, GenerationResult } from "../types.js";
import type { GenerationSlots, SlotEngine, SlotOptions } from "../slots.js";
import { LlamaCppSlots } from "./slots.js";
import { nlcFlashAttention } from "./flash-attention.js";

export interface ContextShape {
  sequences: number;
  /** Tokens per sequence. */
  contextSize: number;
  /** Tokens per llama_decode call (n_batch = n_ubatch in node-llama-cpp). */
  batchSize: number;
}

export interface LlamaCppEngineSettings {
  threads?: number;
  /** Fixed decode batch size; by default every prompt token of a request fits one call, as in one HF forward. */
  batchSize?: number;
  /** Lower bounds for the context, so a sweep can size it once. */
  minContextSize?: number;
  minSequences?: number;
  flashAttention?: FlashAttention;
}

const GREEDY = { temperature: 0 } as const;
/** node-llama-cpp brands token ids; wattlab's are plain numbers already checked against the vocabulary. */
const asToken = (id: number): Token => id as Token;
/** Context sizes are rounded up to this so nearby requests reuse one context (llama.cpp pads to 256 anyway). */
const CONTEXT_STEP = 256;

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

/** The token of a row's last evaluated position, sampled greedily. */
function sampledToken(results: Array<{ next: { token?: number | null } } | undefined>, index: number, row: number): number {
  const token = results[index]?.next.token;
  if (token == null) throw new Error(`llama.cpp returned no token for row ${row}`);
  return token;
}

/** Tokens per sequence of slots opened without a size: at most this, at most the model's context. */
const DEFAULT_SLOT_CONTEXT = 2048;

export class LlamaCppEngine implements SlotEngine {
  static readonly NAME = "llama.cpp";
  private context: LlamaContext | null = null;
  private sequences: LlamaContextSequence[] = [];
  private busy = false;
  private disposed = false;
  private slots: LlamaCppSlots | null = null;

  constructor(readonly info: EngineInfo, private readonly model: LlamaModel, private readonly settings: LlamaCppEngineSettings) {}

  /** The shape a request needs: one sequence per prompt, each long enough for prompt + new tokens. */
  shapeFor(request: GenerateRequest): ContextShape {
    const rows = request.promptIds.length;
    const longest = Math.max(...request.promptIds.map((p) => p.length));
    const promptTokens = request.promptIds.reduce((sum, p) => sum + p.length, 0);
    const needed = longest + request.maxNewTokens;
    return {
      sequences: Math.max(rows, this.settings.minSequences ?? 1),
      contextSize: Math.min(roundUp(Math.max(needed, this.settings.minContextSize ?? 0), CONTEXT_STEP), this.info.contextLength),
      batchSize: this.settings.batchSize ?? roundUp(Math.max(promptTokens, rows), CONTEXT_STEP),
    };
  }

  /** The shape of the context now allocated; null before the first request (or after dispose). */
  get contextShape(): ContextShape | null {
    const c = this.context;
    return c ? { sequences: c.totalSequences, contextSize: c.contextSize, batchSize: c.batchSize } : null;
  }

  /**
   * Creates (or keeps) a context of the right shape. generate calls it before beforePrefill, so a
   * (re)creation when the request shape changes stays outside the timed and metered region.
   */
  async prepare(shape: ContextShape): Promise<void> {
    const c = this.context;
    const fits = c && c.totalSequences === shape.sequences && c.contextSize >= shape.contextSize && c.batchSize >= shape.batchSize;
    if (!fits) {
      await this.releaseContext();
      this.context = await this.model.createContext({
        sequences: shape.sequences, contextSize: shape.contextSize, batchSize: shape.batchSize,
        threads: this.settings.threads, flashAttention: nlcFlashAttention(this.settings.flashAttention), failedCreationRemedy: false,
      });
      this.sequences = Array.from({ length: shape.sequences }, () => this.context!.getSequence());
    }
    await Promise.all(this.sequences.map((s) => s.clearHistory()));
  }

  async generate(request: GenerateRequest, hooks: GenerationHooks = {}): Promise<GenerationResult> {
    if (this.disposed) throw new Error("LlamaCppEngine.generate: the engine is disposed; open a new one");
    if (this.busy) throw new Error("LlamaCppEngine.generate: a generation is already running on this engine; await it first");
    if (this.slots) throw new Error("LlamaCppEngine.generate: the engine's slots are open (openSlots); generate through them, or close them first");
    this.busy = true;
    try {
      this.check(request);
      await this.prepare(this.shapeFor(request));
      return await this.run(request, hooks);
    } finally {
      this.busy = false;
    }
  }

  private check(request: GenerateRequest): void {
    const { promptIds, maxNewTokens } = request;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new Error(`maxNewTokens must be an integer ≥ 1, got ${maxNewTokens}`);
    if (promptIds.length === 0) throw new Error("promptIds is empty; give at least one prompt");
    promptIds.forEach((ids, r) => {
      if (ids.length === 0) throw new Error(`prompt ${r} is empty; every row needs at least one token (e.g. BOS)`);
      const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= this.info.vocabSize);
      if (bad !== undefined) throw new Error(`prompt ${r} holds token id ${bad}, outside the vocabulary of ${this.info.vocabSize}`);
      if (ids.length + maxNewTokens > this.info.contextLength) {
        throw new Error(`prompt ${r}: ${ids.length} tokens + maxNewTokens ${maxNewTokens} exceeds the context length ${this.info.contextLength}`);
      }
    });
  }

  private async run(request: GenerateRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    const { promptIds, maxNewTokens, fixedLength } = request;
    const rows = promptIds.length;
    const outputIds: number[][] = Array.from({ length: rows }, () => []);
    const done = new Array<boolean>(rows).fill(false);
    const decodeStepS: number[] = [];
    let peakRssBytes = process.memoryUsage.rss();
    // info.eosTokenIds, not llama.cpp's wider end-of-generation set, so both engines stop at the same ids
    const eos = new Set(this.info.eosTokenIds);
    const accept = (row: number, token: number) => {
      outputIds[row].push(token);
      if (outputIds[row].length >= maxNewTokens || (!fixedLength && eos.has(token))) done[row] = true;
    };

    await hooks.beforePrefill?.();
    let mark = performance.now();
    const oneCall = this.prefillFitsOneCall(promptIds);
    if (!oneCall) {
      // every token but each row's last first, asking for no logits; prefillFitsOneCall says why
      await Promise.all(promptIds.map((ids, r) => (ids.length > 1 ? this.sequences[r].controlledEvaluate(ids.slice(0, -1).map(asToken)) : undefined)));
    }
    const prefill = await Promise.all(promptIds.map((ids, r) => {
      const input: ControlledEvaluateInputItem[] = oneCall ? ids.slice(0, -1).map(asToken) : [];
      input.push([asToken(ids[ids.length - 1]), { generateNext: { token: true, options: GREEDY } }]);
      return this.sequences[r].controlledEvaluate(input);
    }));
    prefill.forEach((results, r) => accept(r, sampledToken(results, oneCall ? promptIds[r].length - 1 : 0, r)));
    const prefillS = (performance.now() - mark) / 1000;
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    await hooks.afterPrefill?.();
    let stop = (await hooks.afterStep?.(outputIds.map((row) => row[0]))) === "stop";

    while (!stop && done.some((d) => !d)) {
      const active = done.flatMap((d, r) => (d ? [] : [r]));
      mark = performance.now();
      const step = await Promise.all(active.map((r) => {
        const last = outputIds[r][outputIds[r].length - 1];
        return this.sequences[r].controlledEvaluate([[asToken(last), { generateNext: { token: true, options: GREEDY } }]]);
      }));
      step.forEach((results, i) => accept(active[i], sampledToken(results, 0, active[i])));
      decodeStepS.push((performance.now() - mark) / 1000);
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
      const made = new Map(active.map((r) => [r, outputIds[r][outputIds[r].length - 1]]));
      stop = (await hooks.afterStep?.(outputIds.map((_, r) => made.get(r) ?? null))) === "stop";
    }
    await hooks.afterDecode?.();

    const decodeS = decodeStepS.reduce((a, b) => a + b, 0);
    return {
      outputIds,
      inputTokens: promptIds.reduce((sum, p) => sum + p.length, 0),
      outputTokens: outputIds.reduce((sum, row) => sum + row.length, 0),
      prefillS, decodeStepS, totalS: prefillS + decodeS, peakRssBytes,
    };
  }

  /**
   * Whether the prompts can prefill in one llama_decode call: only rows of one length that fit it. Others
   * prefill all but their last tokens first, then every row's last token in one call, in row order.
   *
   * Why: llama.cpp's KV cache is per sequence here (not unified), so it splits a call whose rows differ in
   * length into equal slices per sequence and the rows' logits come out of order; the first
   * llama_get_logits_ith then swaps them back in place. node-llama-cpp samples the rows on concurrent
   * threads, so two of them can swap at once and a row gets another row's logits, or a mix (CI failed on
   * it; under load here, 1 fresh process in 25 to 100). Rows that overflow the call are cut by
   * node-llama-cpp into chunks of unequal size, with the same effect.
   */
  private prefillFitsOneCall(promptIds: number[][]): boolean {
    const sameLength = promptIds.every((ids) => ids.length === promptIds[0].length);
    const promptTokens = promptIds.reduce((sum, ids) => sum + ids.length, 0);
    return sameLength && promptTokens <= (this.context?.batchSize ?? 0);
  }

  /**
   * Continuous batching (src/engine/slots.ts): a context of `sequences` sequences of `contextSize` tokens each
   * (default the model's context, at most 2048), served by one loop (slots.ts). The engine's own context is freed
   * first; generate() refuses while the slots are open.
   */
  async openSlots(options: SlotOptions): Promise<GenerationSlots> {
    if (this.disposed) throw new Error("LlamaCppEngine.openSlots: the engine is disposed; open a new one");
    if (this.busy || this.slots) throw new Error("LlamaCppEngine.openSlots: the engine is busy (a generation or other slots); wait for it or close them");
    if (!Number.isInteger(options.sequences) || options.sequences < 1) throw new Error(`openSlots: sequences must be an integer ≥ 1, got ${options.sequences}`);
    await this.releaseContext();
    const slots = await LlamaCppSlots.open(this.model, {
      sequences: options.sequences, contextSize: Math.min(options.contextSize ?? DEFAULT_SLOT_CONTEXT, this.info.contextLength),
      batchSize: options.batchSize ?? Math.max(512, options.sequences), threads: this.settings.threads, vocabSize: this.info.vocabSize,
      flashAttention: this.settings.flashAttention,
    });
    this.slots = slots;
    return {
      capacity: slots.capacity, contextSize: slots.contextSize,
      generate: (request) => slots.generate(request),
      stats: () => slots.stats(),
      close: async () => {
        await slots.close();
        if (this.slots === slots) this.slots = null;
      },
    };
  }

  private async releaseContext(): Promise<void> {
    const context = this.context;
    this.context = null;
    this.sequences = [];
    if (context && !context.disposed) await context.dispose();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.slots?.close();
    this.slots = null;
    await this.releaseContext();
    if (!this.model.disposed) await this.model.dispose();
  }
}
