// A stand-in OpenAI-compatible server on 127.0.0.1 (a real node:http server on a free port) for the load client's
// tests: /v1/completions and /v1/chat/completions, streamed as SSE with a per-token delay and usage, and faults
// chosen by the prompt's text:
//   "fail-500"       HTTP 500 with an OpenAI error JSON (a two-line message)
//   "cut-K"          K tokens, then the socket is destroyed (no [DONE])
//   "end-K"          K tokens, then the response ends cleanly but without finish_reason or [DONE]
//   "stall"          one token, then nothing (until the client gives up)
//   "many-K"         K tokens whatever max_tokens said, with usage
//   "stream-error"   two tokens, then a chunk holding an error object
//   "echo-key"       HTTP 401 whose message repeats the Authorization header
//   "no-stream"      one JSON completion (application/json), as a server that ignores stream: true
// Anything else streams max_tokens tokens (or `tokens` when set). Every event is written in two pieces, split
// mid-JSON, and a keep-alive comment goes first, so the client's parser meets text split across reads.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_SLO, type LoadOptions } from "../../src/load/index.js";

export interface StandInOptions {
  /** Delay before each token. Units: ms. */
  tokenDelayMs?: number;
  /** Extra delay before the first token. Units: ms. */
  firstTokenDelayMs?: number;
  /** Tokens per answer (default: the request's max_tokens). */
  tokens?: number;
  /** Send usage in the last chunk (default true). */
  usage?: boolean;
  /** Tokens per chunk (default 1): usage then counts more tokens than the chunks. */
  tokensPerChunk?: number;
}

export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** performance.now() at arrival and at the response's end. */
  arrivedMs: number;
  endedMs: number | null;
}

export interface StandIn {
  /** http://127.0.0.1:PORT (no /v1). */
  url: string;
  requests: SeenRequest[];
  /** Most requests open at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => { text += c; });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

function promptText(body: Record<string, unknown>): string {
  if (Array.isArray(body.messages)) return String((body.messages[0] as { content: unknown }).content);
  return Array.isArray(body.prompt) ? "" : String(body.prompt ?? "");
}

/** Writes one SSE event in two pieces (split mid-text). */
async function event(res: ServerResponse, data: string): Promise<void> {
  const text = `data: ${data}\n\n`;
  const half = Math.floor(text.length / 2);
  res.write(text.slice(0, half));
  await sleep(0);
  res.write(text.slice(half));
}

function chunk(chat: boolean, text: string, finish: string | null): string {
  const choice = chat ? { index: 0, delta: { content: text }, finish_reason: finish } : { index: 0, text, finish_reason: finish };
  return JSON.stringify({ id: "x", object: chat ? "chat.completion.chunk" : "text_completion", model: "stand-in", choices: [choice] });
}

async function stream(res: ServerResponse, body: Record<string, unknown>, chat: boolean, options: StandInOptions): Promise<void> {
  const prompt = promptText(body);
  const fault = /^(cut|end|many)-(\d+)$/.exec(prompt);
  const count = fault ? Number(fault[2]) : prompt === "stall" ? 1 : prompt === "stream-error" ? 2 : options.tokens ?? Number(body.max_tokens);
  const perChunk = options.tokensPerChunk ?? 1;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(": keep-alive\n\n");
  await sleep(options.firstTokenDelayMs ?? 0);
  const chunks = Math.ceil(count / perChunk);
  for (let i = 0; i < chunks; i++) {
    await sleep(options.tokenDelayMs ?? 0);
    if (res.destroyed) return;
    await event(res, chunk(chat, `t${i} `, null));
  }
  if (prompt === "stall") return void (await new Promise((resolve) => res.on("close", resolve)));
  if (fault?.[1] === "cut") return void (await sleep(20), res.destroy());
  if (fault?.[1] === "end") return void res.end();
  if (prompt === "stream-error") {
    await event(res, JSON.stringify({ error: { message: "out of KV cache\ndetails", type: "server_error" } }));
    return void res.end();
  }
  await event(res, chunk(chat, "", "length"));
  if (options.usage ?? true) await event(res, JSON.stringify({ choices: [], usage: { prompt_tokens: 11, completion_tokens: count, total_tokens: 11 + count } }));
  await event(res, "[DONE]");
  res.end();
}

async function answer(req: IncomingMessage, res: ServerResponse, options: StandInOptions, seen: SeenRequest): Promise<void> {
  const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
  seen.body = body;
  const chat = req.url === "/v1/chat/completions";
  if (req.method !== "POST" || (!chat && req.url !== "/v1/completions")) {
    res.writeHead(404, { "content-type": "application/json" });
    return void res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
  }
  const prompt = promptText(body);
  if (prompt === "fail-500" || prompt === "echo-key") {
    const status = prompt === "fail-500" ? 500 : 401;
    const message = prompt === "fail-500" ? "model overloaded\nretry later" : `invalid key ${req.headers.authorization}`;
    res.writeHead(status, { "content-type": "application/json" });
    return void res.end(JSON.stringify({ error: { message, type: "server_error" } }));
  }
  if (prompt === "no-stream") {
    res.writeHead(200, { "content-type": "application/json" });
    return void res.end(JSON.stringify({ choices: [{ index: 0, text: "all at once", finish_reason: "length" }] }));
  }
  await stream(res, body, chat, options);
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const requests: SeenRequest[] = [];
  let open = 0, most = 0;
  const server = createServer((req, res) => {
    const seen: SeenRequest = { path: req.url ?? "", authorization: req.headers.authorization, body: {}, arrivedMs: performance.now(), endedMs: null };
    requests.push(seen);
    most = Math.max(most, ++open);
    res.on("close", () => { open--; seen.endedMs = performance.now(); });
    answer(req, res, options, seen).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => most,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Options for runLoad against `url` (closed loop, concurrency 1, 4 requests of 4 tokens), changed by `overrides`. */
export function loadOptions(url: string, overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {
    endpoint: url,
    model: "stand-in",
    chat: false,
    arrival: { kind: "closed", concurrency: 1 },
    numRequests: 4,
    maxTokens: 4,
    ignoreEos: true,
    requestTimeoutS: 10,
    prompts: (i) => ({ prompt: `prompt ${i}`, promptTokens: 3 }),
    slo: { ...DEFAULT_SLO },
    ...overrides,
  };
}
