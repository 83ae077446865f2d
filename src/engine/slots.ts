// Continuous batching's contract: an engine that keeps one context of several sequences ("slots") and runs each
// request on its own sequence, joining and leaving between steps, while every step evaluates all active sequences
// together. Engine-neutral: an engine offers it by implementing SlotEngine (llama.cpp does); knows nothing of energy.
import type { Engine } from "./types.js";

/** One token made for one request. */
export interface SlotStep {
  token: number;
  /** Tokens the model processed for the request to make this one: its prompt for the first token, then 1. */
  processedTokens: number;
  /** Sequences evaluated together in the step that made it (one llama_decode call for llama.cpp). */
  batchSize: number;
}

export interface SlotRequest {
  promptIds: readonly number[];
  /** The request leaves after this many new tokens at most. */
  maxNewTokens: number;
  /** Called with every token, in order; "stop" ends the request after it (EOS, or any stop rule of the caller). */
  onToken(step: SlotStep): void | "stop";
  /** Once aborted, the request leaves at the next step boundary (or the queue) and its sequence is freed. */
  signal?: AbortSignal;
}

export interface SlotResult {
  outputIds: number[];
  /** stopped: onToken said "stop"; length: maxNewTokens reached; aborted: the signal fired. */
  finish: "stopped" | "length" | "aborted";
  /** Time spent waiting for a free sequence. Units: s. */
  queuedS: number;
}

export interface SlotStats {
  /** Sequences in the context. */
  capacity: number;
  active: number;
  waiting: number;
  /** Steps run (one token for every active request each). */
  steps: number;
  /** Calls into the backend's batch decode (llama_decode), prefill included. */
  decodeCalls: number;
  /** Most sequences one decode call carried. */
  maxSequencesPerDecode: number;
}

export interface GenerationSlots {
  /** Sequences that generate at once; further requests wait in a FIFO queue. */
  readonly capacity: number;
  /** Tokens per sequence: a request's prompt + maxNewTokens must fit. */
  readonly contextSize: number;
  generate(request: SlotRequest): Promise<SlotResult>;
  stats(): SlotStats;
  /** Refuses new requests, fails the waiting ones, waits for the running step and frees the context. */
  close(): Promise<void>;
}

export interface SlotOptions {
  /** Sequences in the context (requests generating at once). */
  sequences: number;
  /** Tokens per sequence; default the engine's choice (at most the model's context length). */
  contextSize?: number;
  /** Tokens per decode call (prefill chunks); default the engine's choice, at least `sequences`. */
  batchSize?: number;
}

/** An engine that can run requests continuously batched. */
export interface SlotEngine extends Engine {
  openSlots(options: SlotOptions): Promise<GenerationSlots>;
}

export function hasSlots(engine: Engine): engine is SlotEngine {
  return typeof (engine as Partial<SlotEngine>).openSlots === "function";
}
