// One completion or chat completion: prompt → token ids, checked against the context; the request runs on the
// server's slots, its tokens streamed as SSE chunks (one per token) or gathered into one JSON answer; its usage
// carries the energy the ledger attributes to it (energy.ts says the rule).
import type { ServerResponse } from "node:http";
import type { EngineInfo } from "../engine/types.js";
import type { GenerationSlots, SlotResult } from "../engine/slots.js";
import type { WattlabTokenizer } from "../engine/tokenizer.js";
import type { EnergyLedger, RequestEnergy } from "./energy.js";
import { ApiError, type ParsedRequest } from "./openai.js";
import { IncrementalText } from "./text.js";

/** Completions without max_tokens make this many tokens (OpenAI's default). */
export const DEFAULT_COMPLETION_TOKENS = 16;

export interface ServeState {
  /** The name clients ask for (model field) and see. */
  modelName: string;
  info: EngineInfo;
  tokenizer: WattlabTokenizer;
  slots: GenerationSlots;
  ledger: EnergyLedger;
  /** How chat messages become a prompt: the tokenizer's chat template, or "role: content" lines. */
  chatFormat: "template" | "plain";
  counters: { completed: number; aborted: number; failed: number };
  nextId(): string;
}

/** OpenAI's usage plus wattlab's energy and batching figures. */
export interface ServeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** This request's share of the server's energy while it ran (energy.ts); null without a meter. Units: J. */
  energy_j: number | null;
  energy_source: RequestEnergy["source"];
  /** The request spanned fewer energy-counter updates than a figure needs (src/meter/resolution.ts); null when unknown. */
  energy_below_resolution: boolean | null;
  energy_counter_updates: number | null;
  /** Most requests evaluated together in one step this request took part in. */
  batch_size_max: number;
  /** Time waiting for a free slot. Units: s. */
  queue_s: number;
}

/** The prompt's token ids: ids as sent, text encoded, chat messages rendered (template or plain lines) then encoded. */
export function promptIds(state: ServeState, parsed: ParsedRequest): number[] {
  const { tokenizer, info } = state;
  const p = parsed.prompt;
  let ids: number[];
  if ("ids" in p) ids = p.ids;
  else if ("text" in p) ids = tokenizer.encode(p.text, { addSpecialTokens: true });
  else if (state.chatFormat === "template") ids = tokenizer.encode(tokenizer.applyChatTemplate(p.messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
  else ids = tokenizer.encode(p.messages.map((m) => `${m.role}: ${m.content}\n`).join("") + "assistant:", { addSpecialTokens: true });
  if (ids.length === 0) throw new ApiError("the prompt is empty (it encodes to no tokens); send some text or token ids");
  const bad = ids.find((id) => id >= info.vocabSize);
  if (bad !== undefined) throw new ApiError(`prompt token id ${bad} is outside the model's vocabulary of ${info.vocabSize} (ids 0–${info.vocabSize - 1})`);
  return ids;
}

/** max_tokens, or the endpoint's default, checked to fit the context with the prompt. */
export function maxTokensFor(state: ServeState, parsed: ParsedRequest, promptLength: number): number {
  const context = state.slots.contextSize;
  const max = parsed.maxTokens ?? (parsed.kind === "completion" ? DEFAULT_COMPLETION_TOKENS : context - promptLength);
  if (promptLength + max > context || max < 1) {
    throw new ApiError(`the prompt (${promptLength} tokens) + max_tokens (${max}) exceeds the context of ${context} tokens per request; lower max_tokens or shorten the prompt`);
  }
  return max;
}

const sse = (res: ServerResponse, data: unknown): boolean => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

/** How one request's answer reads, for its endpoint. */
interface Shape {
  chat: boolean;
  chunk(piece: string, finishReason: string | null, first: boolean): object;
  whole(text: string, finishReason: string, usage: ServeUsage): object;
  usageChunk(usage: ServeUsage): object;
}

function shapeOf(chat: boolean, id: string, created: number, model: string): Shape {
  const object = chat ? "chat.completion.chunk" : "text_completion";
  const head = { id, object, created, model };
  const choice = (piece: string, finishReason: string | null, first: boolean) => chat
    ? { index: 0, delta: first ? { role: "assistant", content: piece } : { content: piece }, logprobs: null, finish_reason: finishReason }
    : { index: 0, text: piece, logprobs: null, finish_reason: finishReason };
  return {
    chat,
    chunk: (piece, finishReason, first) => ({ ...head, choices: [choice(piece, finishReason, first)], usage: null }),
    usageChunk: (usage) => ({ ...head, choices: [], usage }),
    whole: (text, finishReason, usage) => ({
      id, object: chat ? "chat.completion" : "text_completion", created, model,
      choices: [chat
        ? { index: 0, message: { role: "assistant", content: text }, logprobs: null, finish_reason: finishReason }
        : { index: 0, text, logprobs: null, finish_reason: finishReason }],
      usage,
    }),
  };
}

function chatHeader(state: ServeState, chat: boolean): Record<string, string> {
  return chat ? { "x-wattlab-chat-format": state.chatFormat } : {};
}

/** What a request ended with, before its answer is written. */
interface Outcome {
  result: SlotResult | Error;
  energy: RequestEnergy;
  /** The whole text, and its end not streamed yet (an incomplete character held back). */
  text: string;
  rest: string;
  /** Token chunks already streamed (the first names the role in a chat). */
  streamed: number;
  promptTokens: number;
  batchMax: number;
}

/** Runs a checked request and answers it on `res`. */
export async function runCompletion(state: ServeState, parsed: ParsedRequest, ids: number[], maxTokens: number, res: ServerResponse): Promise<void> {
  const id = state.nextId();
  const shape = shapeOf(parsed.kind === "chat", id, Math.floor(Date.now() / 1000), state.modelName);
  const aborter = new AbortController();
  res.on("close", () => { if (!res.writableEnded) aborter.abort(); });
  if (parsed.stream) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", ...chatHeader(state, shape.chat) });
    res.flushHeaders(); // the client knows it is in line before its first token
  }
  const eos = new Set(state.info.eosTokenIds);
  const text = new IncrementalText(state.tokenizer);
  let whole = "", batchMax = 0, made = 0, streamed = 0;
  state.ledger.start(id);
  let result: SlotResult | Error;
  try {
    result = await state.slots.generate({
      promptIds: ids, maxNewTokens: maxTokens, signal: aborter.signal,
      onToken: ({ token, processedTokens, batchSize }) => {
        state.ledger.work(id, processedTokens);
        batchMax = Math.max(batchMax, batchSize);
        made++;
        // EOS ends the request unless ignore_eos, or min_tokens wants more (an early EOS stays a token, without text)
        if (eos.has(token) && !parsed.ignoreEos && made >= parsed.minTokens) return "stop";
        const piece = text.push(token);
        whole += piece;
        if (parsed.stream && !aborter.signal.aborted) sse(res, shape.chunk(piece, null, ++streamed === 1));
      },
    });
  } catch (error) {
    result = error instanceof Error ? error : new Error(String(error));
  }
  const energy = await state.ledger.finish(id);
  const rest = text.flush();
  answer(state, parsed, res, shape, { result, energy, text: whole + rest, rest, streamed, promptTokens: ids.length, batchMax });
}

function usageOf(o: Outcome, completionTokens: number, queueS: number): ServeUsage {
  return {
    prompt_tokens: o.promptTokens, completion_tokens: completionTokens, total_tokens: o.promptTokens + completionTokens,
    energy_j: o.energy.energyJ, energy_source: o.energy.source,
    energy_below_resolution: o.energy.belowResolution, energy_counter_updates: o.energy.counterUpdates,
    batch_size_max: o.batchMax, queue_s: queueS,
  };
}

/** Writes the end of the answer: the last chunks and [DONE], or the whole JSON; or the error. */
function answer(state: ServeState, parsed: ParsedRequest, res: ServerResponse, shape: Shape, o: Outcome): void {
  const { result } = o;
  if (result instanceof Error || result.finish === "aborted") {
    if (result instanceof Error) state.counters.failed++;
    else state.counters.aborted++;
    if (res.writableEnded || res.destroyed) return;
    const error = { error: { message: result instanceof Error ? `generation failed: ${result.message}` : "the request was aborted", type: "server_error", code: 500 } };
    if (parsed.stream) {
      sse(res, error);
      res.end();
    } else {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify(error));
    }
    return;
  }
  state.counters.completed++;
  const finishReason = result.finish === "stopped" ? "stop" : "length";
  const usage = usageOf(o, result.outputIds.length, result.queuedS);
  if (!parsed.stream) {
    res.writeHead(200, { "content-type": "application/json", ...chatHeader(state, shape.chat) }).end(JSON.stringify(shape.whole(o.text, finishReason, usage)));
    return;
  }
  if (res.destroyed) return;
  sse(res, shape.chunk(o.rest, finishReason, o.streamed === 0));
  if (parsed.includeUsage) sse(res, shape.usageChunk(usage));
  sse(res, "[DONE]");
  res.end();
}
