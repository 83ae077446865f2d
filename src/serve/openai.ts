// The OpenAI API's request bodies as wattlab serve reads them (completions and chat completions), checked field by
// field: a bad one is an ApiError naming the field and the fix, answered as OpenAI does: {error: {message, type}}.

export class ApiError extends Error {
  constructor(message: string, readonly status = 400, readonly type = "invalid_request_error") {
    super(message);
  }
}

export interface ChatMessageIn {
  role: string;
  content: string;
}

/** One request, as the server runs it. */
export interface ParsedRequest {
  kind: "completion" | "chat";
  /** The model asked for; undefined when left out. */
  model: string | undefined;
  /** completions: text or token ids (exact-length prompts come as ids); chat: the messages. */
  prompt: { text: string } | { ids: number[] } | { messages: ChatMessageIn[] };
  /** Undefined: the endpoint's default (16 for completions, the rest of the context for chat). */
  maxTokens: number | undefined;
  /** Keep going past EOS up to maxTokens (vLLM's ignore_eos). */
  ignoreEos: boolean;
  /** EOS does not stop the request before this many tokens (vLLM's min_tokens). */
  minTokens: number;
  stream: boolean;
  /** stream_options.include_usage: a last chunk carries usage. */
  includeUsage: boolean;
}

type Body = Record<string, unknown>;

/** The JSON body, or an ApiError saying what is wrong with it. */
export function parseJsonBody(raw: string): Body {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw new ApiError(`the request body is not valid JSON (${(error as Error).message}); send a JSON object`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ApiError("the request body must be a JSON object");
  return body as Body;
}

function wholeNumber(body: Body, key: string, min: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ApiError(`${key} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(body: Body, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new ApiError(`${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Fields common to both endpoints; refuses what wattlab serve would silently get wrong. */
function common(body: Body): Omit<ParsedRequest, "kind" | "prompt" | "maxTokens"> {
  const model = body.model;
  if (model !== undefined && typeof model !== "string") throw new ApiError(`model must be a string, got ${JSON.stringify(model)}`);
  const n = wholeNumber(body, "n", 1);
  if (n !== undefined && n !== 1) throw new ApiError(`n must be 1 (wattlab serve makes one choice per request), got ${n}`);
  const stop = body.stop;
  if (stop !== undefined && stop !== null && !(Array.isArray(stop) && stop.length === 0)) {
    throw new ApiError("stop sequences are not supported by wattlab serve; leave stop out (generation stops at EOS or max_tokens)");
  }
  const options = body.stream_options;
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
    throw new ApiError("stream_options must be an object such as {\"include_usage\": true}");
  }
  const minTokens = wholeNumber(body, "min_tokens", 0) ?? 0;
  return {
    model, ignoreEos: flag(body, "ignore_eos"), minTokens, stream: flag(body, "stream"),
    includeUsage: options ? flag(options as Body, "include_usage") : false,
  };
}

/** A completions prompt: a string, an array of token ids, or a one-element array of either. */
function promptOf(value: unknown): ParsedRequest["prompt"] {
  if (value === undefined || value === null) throw new ApiError("prompt is missing; send \"prompt\": \"text\" or an array of token ids");
  if (typeof value === "string") return { text: value };
  if (Array.isArray(value)) {
    if (value.length === 1 && (typeof value[0] === "string" || Array.isArray(value[0]))) return promptOf(value[0]);
    if (value.length === 0) throw new ApiError("prompt is an empty array; send text or at least one token id");
    if (value.every((id) => typeof id === "number" && Number.isInteger(id) && id >= 0)) return { ids: value as number[] };
    if (value.some((item) => typeof item === "string" || Array.isArray(item))) {
      throw new ApiError("prompt holds several prompts; wattlab serve takes one prompt per request (send them as separate requests)");
    }
  }
  throw new ApiError("prompt must be a string or an array of non-negative integer token ids");
}

export function parseCompletion(body: Body): ParsedRequest {
  const shared = common(body);
  return { kind: "completion", ...shared, prompt: promptOf(body.prompt), maxTokens: checkedMax(body, shared.minTokens) };
}

export function parseChat(body: Body): ParsedRequest {
  const shared = common(body);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new ApiError("messages is missing or empty; send [{\"role\": \"user\", \"content\": \"…\"}]");
  const parsed = messages.map((m: unknown, i): ChatMessageIn => {
    const message = m as Body | null;
    if (!message || typeof message !== "object" || typeof message.role !== "string") throw new ApiError(`messages[${i}] needs a string role`);
    return { role: message.role, content: contentText(message.content, i) };
  });
  const maxTokens = checkedMax(body, shared.minTokens, wholeNumber(body, "max_completion_tokens", 1));
  return { kind: "chat", ...shared, prompt: { messages: parsed }, maxTokens };
}

/** A message's content: a string, or text parts [{type: "text", text}]. */
function contentText(content: unknown, i: number): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content) && content.every((p) => p && typeof p === "object" && (p as Body).type === "text" && typeof (p as Body).text === "string")) {
    return content.map((p) => (p as Body).text as string).join("");
  }
  throw new ApiError(`messages[${i}].content must be a string or text parts [{"type": "text", "text": "…"}]`);
}

function checkedMax(body: Body, minTokens: number, fallback?: number): number | undefined {
  const max = wholeNumber(body, "max_tokens", 1) ?? fallback;
  if (max !== undefined && minTokens > max) throw new ApiError(`min_tokens (${minTokens}) exceeds max_tokens (${max}); lower min_tokens or raise max_tokens`);
  return max;
}

/** OpenAI's error body. */
export function errorBody(error: ApiError): { error: { message: string; type: string; code: number } } {
  return { error: { message: error.message, type: error.type, code: error.status } };
}
