// Continuous batching on llama.cpp: one context of N sequences, one loop. Between steps, waiting requests take free
// sequences (FIFO) and prefill; each step then evaluates one token for every active sequence, issued together so
// node-llama-cpp puts them into one llama_decode call. A request leaves after any step (stop, length, abort) and
// its sequence is cleared for the next.
//
// Why a new request prefills in its own calls before the step (all its prompt tokens but the last, asking for no
// logits) and its last prompt token rides in the step: a call whose logit rows differ in length can hand a row
// another row's logits (engine.ts, prefillFitsOneCall, says how). So every call that asks for logits here holds
// exactly one token per sequence, as the one-request engine's decode steps do.
import type { BatchItem, LlamaContext, LlamaContextSequence, LlamaModel, PrioritizedBatchItem, Token } from "node-llama-cpp";
import type { GenerationSlots, SlotRequest, SlotResult, SlotStats } from "../slots.js";
import type { FlashAttention } from "../types.js";
import { nlcFlashAttention } from "./flash-attention.js";

const GREEDY = { temperature: 0 } as const;
const asToken = (id: number): Token => id as Token;
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

interface Entry {
  request: SlotRequest;
  resolve(result: SlotResult): void;
  reject(error: unknown): void;
  arrivedMs: number;
  queuedS: number;
  sequence: LlamaContextSequence | null;
  outputIds: number[];
  /** The token the next step evaluates: the prompt's last, then the last one made. */
  next: number;
}

export interface LlamaCppSlotsOptions {
  sequences: number;
  /** Tokens per sequence. */
  contextSize: number;
  /** Tokens per llama_decode call. */
  batchSize: number;
  threads?: number;
  vocabSize: number;
  flashAttention?: FlashAttention;
}

export class LlamaCppSlots implements GenerationSlots {
  private readonly waiting: Entry[] = [];
  private readonly active: Entry[] = [];
  private readonly free: LlamaContextSequence[];
  private readonly ids = new Map<LlamaContextSequence, number>();
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly counts = { steps: 0, decodeCalls: 0, maxSequencesPerDecode: 0 };

  private constructor(private readonly context: LlamaContext, private readonly vocabSize: number) {
    this.free = Array.from({ length: context.totalSequences }, () => context.getSequence());
    // node-llama-cpp hands sequences out in id order (0, 1, …) and keeps the id internal: remember it
    this.free.forEach((sequence, id) => this.ids.set(sequence, id));
  }

  static async open(model: LlamaModel, options: LlamaCppSlotsOptions): Promise<LlamaCppSlots> {
    let record: (sequences: number) => void = () => undefined;
    const context = await model.createContext({
      sequences: options.sequences, contextSize: options.contextSize, batchSize: Math.max(options.batchSize, options.sequences),
      threads: options.threads, flashAttention: nlcFlashAttention(options.flashAttention), failedCreationRemedy: false,
      // called once per llama_decode call with what is queued: take it in order, as much as fits, and count the sequences
      batching: { itemPrioritizationStrategy: ({ items, size }) => fillInOrder(items, size, (n) => record(n)) },
    });
    const slots = new LlamaCppSlots(context, options.vocabSize);
    record = (n) => slots.countCall(n);
    return slots;
  }

  get capacity(): number {
    return this.context.totalSequences;
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  stats(): SlotStats {
    return { capacity: this.capacity, active: this.active.length, waiting: this.waiting.length, ...this.counts };
  }

  private countCall(sequences: number): void {
    this.counts.decodeCalls++;
    this.counts.maxSequencesPerDecode = Math.max(this.counts.maxSequencesPerDecode, sequences);
  }

  generate(request: SlotRequest): Promise<SlotResult> {
    if (this.closed) return Promise.reject(new Error("the llama.cpp slots are closed; open new ones"));
    try {
      this.check(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<SlotResult>((resolve, reject) => {
      this.waiting.push({
        request, resolve, reject, arrivedMs: performance.now(), queuedS: 0, sequence: null, outputIds: [],
        next: request.promptIds[request.promptIds.length - 1],
      });
      this.kick();
    });
  }

  private check({ promptIds, maxNewTokens }: SlotRequest): void {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new Error(`maxNewTokens must be an integer ≥ 1, got ${maxNewTokens}`);
    if (promptIds.length === 0) throw new Error("the prompt is empty; it needs at least one token (e.g. BOS)");
    const bad = promptIds.find((id) => !Number.isInteger(id) || id < 0 || id >= this.vocabSize);
    if (bad !== undefined) throw new Error(`the prompt holds token id ${bad}, outside the vocabulary of ${this.vocabSize}`);
    if (promptIds.length + maxNewTokens > this.contextSize) {
      throw new Error(`${promptIds.length} prompt tokens + maxNewTokens ${maxNewTokens} exceeds the ${this.contextSize} tokens of a sequence`);
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop()
      .catch((error: unknown) => this.failAll(error))
      .finally(() => {
        this.running = null;
        if (!this.closed && this.waiting.length > 0) this.kick();
      });
  }

  private async loop(): Promise<void> {
    while (!this.closed && (this.waiting.length > 0 || this.active.length > 0)) {
      await this.prefill(this.admit());
      if (this.active.length > 0) await this.step();
    }
  }

  /** Waiting requests take free sequences, first come first served; aborted ones leave the queue. */
  private admit(): Entry[] {
    for (const entry of this.waiting.filter((e) => e.request.signal?.aborted)) {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      entry.resolve({ outputIds: [], finish: "aborted", queuedS: (performance.now() - entry.arrivedMs) / 1000 });
    }
    const admitted: Entry[] = [];
    while (this.free.length > 0 && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      entry.sequence = this.takeLowestSequence();
      entry.queuedS = (performance.now() - entry.arrivedMs) / 1000;
      admitted.push(entry);
      this.active.push(entry);
    }
    return admitted;
  }

  /**
   * The free sequence with the lowest id. llama.cpp keeps one KV stream per sequence and a decode call's attention spans
   * the streams from its lowest to its highest sequence id, so active requests packed at the low ids keep that span
   * (and the KV read per step) as small as the concurrency, however large the context.
   */
  private takeLowestSequence(): LlamaContextSequence {
    let best = 0;
    for (let i = 1; i < this.free.length; i++) if (this.ids.get(this.free[i])! < this.ids.get(this.free[best])!) best = i;
    return this.free.splice(best, 1)[0];
  }

  /** All prompt tokens but the last, of every admitted request, in calls that ask for no logits. */
  private async prefill(admitted: Entry[]): Promise<void> {
    const long = admitted.filter((e) => e.request.promptIds.length > 1);
    const done = await Promise.allSettled(long.map((e) => e.sequence!.controlledEvaluate(e.request.promptIds.slice(0, -1).map(asToken))));
    const failed = done.flatMap((r, i) => (r.status === "rejected" ? [{ entry: long[i], error: asError(r.reason) }] : []));
    await Promise.all(failed.map(({ entry, error }) => this.leave(entry, error)));
  }

  /** One token for every active request, in one llama_decode call. */
  private async step(): Promise<void> {
    const entries = [...this.active];
    this.counts.steps++;
    const results = await Promise.allSettled(entries.map((e) =>
      e.sequence!.controlledEvaluate([[asToken(e.next), { generateNext: { token: true, options: GREEDY } }]])));
    const leaving: Promise<void>[] = [];
    entries.forEach((entry, i) => {
      const result = results[i];
      const token = result.status === "fulfilled" ? result.value[0]?.next.token : null;
      if (token == null) {
        leaving.push(this.leave(entry, result.status === "rejected" ? asError(result.reason) : new Error("llama.cpp returned no token")));
        return;
      }
      const finish = this.accept(entry, token, entries.length);
      if (finish) leaving.push(this.leave(entry, finish));
    });
    await Promise.all(leaving);
  }

  /** Records a token; returns why the request leaves now, if it does. */
  private accept(entry: Entry, token: number, batchSize: number): SlotResult["finish"] | Error | null {
    const first = entry.outputIds.length === 0;
    entry.outputIds.push(token);
    entry.next = token;
    let verdict: void | "stop";
    try {
      verdict = entry.request.onToken({ token, processedTokens: first ? entry.request.promptIds.length : 1, batchSize });
    } catch (error) {
      return asError(error);
    }
    if (verdict === "stop") return "stopped";
    if (entry.outputIds.length >= entry.request.maxNewTokens) return "length";
    return entry.request.signal?.aborted ? "aborted" : null;
  }

  /** Settles a request and gives its sequence back, cleared. */
  private async leave(entry: Entry, finish: SlotResult["finish"] | Error): Promise<void> {
    this.active.splice(this.active.indexOf(entry), 1);
    if (finish === "stopped" || finish === "length" || finish === "aborted") {
      entry.resolve({ outputIds: entry.outputIds, finish, queuedS: entry.queuedS });
    } else {
      entry.reject(finish);
    }
    const sequence = entry.sequence!;
    entry.sequence = null;
    await sequence.clearHistory();
    this.free.push(sequence);
  }

  private failAll(error: unknown): void {
    for (const entry of this.active.splice(0)) entry.reject(error);
    for (const entry of this.waiting.splice(0)) entry.reject(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.waiting.splice(0)) entry.reject(new Error("the server is shutting down"));
    await this.running;
    for (const entry of this.active.splice(0)) entry.reject(new Error("the server is shutting down"));
    if (!this.context.disposed) await this.context.dispose();
  }
}

/** Queued evaluations in order, each as much as still fits `size` tokens; `count` hears how many sequences go in. */
function fillInOrder(items: readonly BatchItem[], size: number, count: (sequences: number) => void): PrioritizedBatchItem[] {
  const chosen: PrioritizedBatchItem[] = [];
  let left = size;
  for (const item of items) {
    if (left <= 0) break;
    const processAmount = Math.min(item.tokens.length, left);
    chosen.push({ item, processAmount });
    left -= processAmount;
  }
  count(chosen.length);
  return chosen;
}
