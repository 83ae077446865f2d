// One streamed request to an OpenAI-compatible server, timed chunk by chunk. Every way it can go wrong — no
// connection, an HTTP error, a stream cut, a timeout, an error inside the stream, more tokens than asked for — ends
// in a failed RequestRecord with a one-line reason; nothing here throws.
import type { LoadOptions, RequestRecord } from "./types.js";
import { SseParser } from "./sse.js";
import { fetchFailureReason, httpErrorReason, oneLine, redact } from "./errors.js";

/** What the scheduler hears from a request while it runs. */
export interface RequestHooks {
  /** Seconds since the run began. */
  now(): number;
  onSent(sentS: number): void;
  onFirstToken(timeS: number): void;
}

interface StreamState {
  tokenTimesS: number[];
  usage: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  /** [DONE] seen. */
  done: boolean;
  /** A choice with a finish_reason seen. */
  finished: boolean;
  error: string | null;
}

/** The endpoint's URL for `path` ("completions" or "chat/completions"), with or without /v1 at the base's end. */
/** The server's /v1 root, whether the endpoint was given with /v1 or without. */
export function v1Root(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, "");
  return /\/v1$/.test(base) ? base : `${base}/v1`;
}

export function requestUrl(endpoint: string, chat: boolean): string {
  return `${v1Root(endpoint)}/${chat ? "chat/completions" : "completions"}`;
}

/** The JSON body of request `prompt`. */
export function requestBody(options: LoadOptions, prompt: string | number[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: options.model,
    max_tokens: options.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (options.chat) body.messages = [{ role: "user", content: prompt }];
  else body.prompt = prompt;
  if (options.ignoreEos) {
    body.ignore_eos = true;
    body.min_tokens = options.maxTokens;
  }
  return body;
}

function headers(options: LoadOptions): Record<string, string> {
  const out: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  if (options.apiKey) out.authorization = `Bearer ${options.apiKey}`;
  return out;
}

/** The text a chunk carries: completions' choices[0].text, chat's delta.content (or a reasoning model's reasoning). */
function chunkText(choice: Record<string, unknown> | undefined): string {
  if (!choice) return "";
  if (typeof choice.text === "string") return choice.text;
  const delta = choice.delta as Record<string, unknown> | undefined;
  for (const key of ["content", "reasoning_content", "reasoning"]) {
    if (typeof delta?.[key] === "string" && delta[key] !== "") return delta[key] as string;
  }
  return "";
}

function handleEvent(data: string, state: StreamState, hooks: RequestHooks): void {
  if (data.trim() === "[DONE]") {
    state.done = true;
    return;
  }
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data);
  } catch {
    state.error = `unreadable stream chunk after ${state.tokenTimesS.length} tokens: ${oneLine(data, 80)}`;
    return;
  }
  if (chunk.error !== undefined && chunk.error !== null) {
    state.error = `server error after ${state.tokenTimesS.length} tokens: ${httpErrorReason(0, "", JSON.stringify(chunk)).replace(/^HTTP 0: /, "")}`;
    return;
  }
  const choice = (chunk.choices as Record<string, unknown>[] | undefined)?.[0];
  if (chunkText(choice) !== "") {
    const t = hooks.now();
    if (state.tokenTimesS.length === 0) hooks.onFirstToken(t);
    state.tokenTimesS.push(t);
  }
  if (choice?.finish_reason) state.finished = true;
  if (chunk.usage && typeof chunk.usage === "object") state.usage = chunk.usage as StreamState["usage"];
}

async function readStream(response: Response, state: StreamState, hooks: RequestHooks): Promise<void> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("text/event-stream")) {
    await response.body?.cancel().catch(() => undefined);
    state.error = `not streamed: the server answered with content-type ${type || "none"}; it must accept stream: true`;
    return;
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for (;;) {
    const { done, value } = await reader.read();
    const events = done ? parser.push(decoder.decode()).concat(parser.end()) : parser.push(decoder.decode(value, { stream: true }));
    for (const data of events) {
      handleEvent(data, state, hooks);
      if (state.done || state.error) {
        await reader.cancel().catch(() => undefined);
        return;
      }
    }
    if (done) break;
  }
  if (!state.finished) state.error = `stream cut after ${state.tokenTimesS.length} tokens`;
}

function recordOf(index: number, sentS: number, endS: number, state: StreamState, fallbackPromptTokens: number | null,
  error: string | null, maxTokens: number): RequestRecord {
  const times = state.tokenTimesS;
  const usageOut = state.usage?.completion_tokens;
  const usagePrompt = state.usage?.prompt_tokens;
  const fromUsage = typeof usageOut === "number" && Number.isFinite(usageOut);
  const outputTokens = fromUsage ? (usageOut as number) : times.length;
  if (!error && outputTokens > maxTokens) error = `server returned ${outputTokens} tokens for max_tokens ${maxTokens}`;
  const firstTokenS = times.length ? times[0] : null;
  const ttftS = firstTokenS === null ? null : firstTokenS - sentS;
  const e2eS = endS - sentS;
  return {
    index, sentS, firstTokenS, endS, ttftS, e2eS,
    itlS: times.slice(1).map((t, i) => t - times[i]),
    tpotS: ttftS !== null && outputTokens >= 2 ? (e2eS - ttftS) / (outputTokens - 1) : null,
    promptTokens: typeof usagePrompt === "number" && Number.isFinite(usagePrompt) ? usagePrompt : fallbackPromptTokens,
    outputTokens,
    tokenTimesS: times,
    tokenCountSource: fromUsage ? "usage" : "stream",
    ok: error === null,
    error,
  };
}

/** Sends request `index` and streams its answer; resolves to its record, ok or failed (never rejects). */
export async function sendRequest(options: LoadOptions, index: number, hooks: RequestHooks, runSignal: AbortSignal): Promise<RequestRecord> {
  const state: StreamState = { tokenTimesS: [], usage: null, done: false, finished: false, error: null };
  let prompt: string | number[], promptTokens: number;
  try {
    ({ prompt, promptTokens } = options.prompts(index));
  } catch (e) {
    const sentS = hooks.now();
    hooks.onSent(sentS);
    return recordOf(index, sentS, sentS, state, null, redact(`prompt ${index}: ${oneLine(String((e as Error)?.message ?? e))}`, options.apiKey), options.maxTokens);
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, options.requestTimeoutS * 1000);
  const onAbort = () => controller.abort();
  runSignal.addEventListener("abort", onAbort, { once: true });
  const sentS = hooks.now();
  hooks.onSent(sentS);
  let answered = false;
  try {
    const response = await (options.fetchImpl ?? fetch)(requestUrl(options.endpoint, options.chat), {
      method: "POST", headers: headers(options), body: JSON.stringify(requestBody(options, prompt)), signal: controller.signal,
    });
    answered = true;
    if (!response.ok) state.error = httpErrorReason(response.status, response.statusText, await response.text());
    else await readStream(response, state, hooks);
  } catch (e) {
    state.error = timedOut ? `timed out after ${options.requestTimeoutS} s`
      : runSignal.aborted ? "aborted"
      : answered ? `stream cut after ${state.tokenTimesS.length} tokens` : fetchFailureReason(e);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener("abort", onAbort);
  }
  const error = state.error === null ? null : redact(state.error, options.apiKey);
  return recordOf(index, sentS, hooks.now(), state, promptTokens, error, options.maxTokens);
}
