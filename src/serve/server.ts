// wattlab serve's HTTP server (node:http): the OpenAI endpoints over one opened engine, its requests batched
// (continuously on an engine with slots, by request otherwise) and each answer's usage carrying its energy.
//   GET  /health               {"status": "ok"} (the server listens only once the model is loaded)
//   GET  /v1/models            the served model, its engine, device, context per request, batching and chat format
//   GET  /metrics              requests, batching (most sequences in one decode call) and energy totals (JSON)
//   POST /v1/completions       prompt as text or token ids; stream, max_tokens, ignore_eos, min_tokens, stream_options
//   POST /v1/chat/completions  messages through the chat template, else "role: content" lines
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Engine, EngineInfo } from "../engine/types.js";
import { hasSlots, type GenerationSlots, type SlotStats } from "../engine/slots.js";
import type { WattlabTokenizer } from "../engine/tokenizer.js";
import { maxTokensFor, promptIds, runCompletion, type ServeState } from "./completion.js";
import { EnergyLedger, type EnergyTotals, type SegmentMeter } from "./energy.js";
import { ApiError, errorBody, parseChat, parseCompletion, parseJsonBody, type ParsedRequest } from "./openai.js";
import { RequestBatcher } from "./request-batcher.js";

export interface ServeOptions {
  engine: Engine;
  tokenizer: WattlabTokenizer;
  /** The name clients send as `model` and see in /v1/models. */
  modelName: string;
  /** Where each request's energy comes from; null or absent: energy_j null, energy_source "none". */
  meter?: SegmentMeter | null;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 takes any free port (see ServeHandle.url). */
  port?: number;
  /** Requests generating at once (llama.cpp: sequences of the context; onnxruntime: the largest batch); more wait in line. Default 16. */
  maxConcurrency?: number;
  /** onnxruntime: how long the first waiting request waits for others to join its batch. Default 10. Units: ms. */
  batchWaitMs?: number;
  /** llama.cpp: tokens per sequence (prompt + max_tokens of one request). Default the model's context, at most 2048. */
  contextSize?: number;
  /** Longest meter segment (energy.ts). Default 250. Units: ms. */
  segmentMs?: number;
  /** Where warnings go; default stderr. */
  onWarning?: (message: string) => void;
}

/** GET /metrics, snake_case as the API's other fields. */
export interface ServeMetrics {
  model: string;
  batching: "continuous" | "request";
  requests: { completed: number; aborted: number; failed: number; rejected: number; active: number; waiting: number };
  /** Steps, decode calls (llama_decode, or onnxruntime runs) and the most sequences one call carried: batching seen. */
  engine: { capacity: number; steps: number; decode_calls: number; max_sequences_per_decode: number };
  /** Segment energies (totalEnergyJ of each meter segment) and how they were split (energy.ts). Units: J. */
  energy: { scope: "total"; segments: number; segments_j: number; attributed_j: number; unattributed_j: number; failed_segments: number };
}

export interface ServeHandle {
  /** http://HOST:PORT, the port the server really got. */
  url: string;
  host: string;
  port: number;
  modelName: string;
  info: EngineInfo;
  batching: "continuous" | "request";
  chatFormat: "template" | "plain";
  metrics(): ServeMetrics;
  /** Stops listening, drops open connections, ends the batching; the engine stays open (the caller's to dispose). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 2 ** 20;

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const maxConcurrency = options.maxConcurrency ?? 16;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new Error(`maxConcurrency must be a whole number ≥ 1, got ${maxConcurrency}`);
  const engine = options.engine;
  const slots: GenerationSlots = hasSlots(engine)
    ? await engine.openSlots({ sequences: maxConcurrency, contextSize: options.contextSize })
    : new RequestBatcher(engine, { maxBatch: maxConcurrency, waitMs: options.batchWaitMs ?? 10 });
  const warn = options.onWarning ?? ((message: string) => console.error(message));
  let serial = 0;
  const state: ServeState = {
    modelName: options.modelName, info: engine.info, tokenizer: options.tokenizer, slots,
    ledger: new EnergyLedger(options.meter ?? null, options.segmentMs ?? 250, warn),
    chatFormat: options.tokenizer.chatTemplate ? "template" : "plain",
    counters: { completed: 0, aborted: 0, failed: 0 },
    nextId: () => `cmpl-wattlab-${Date.now().toString(36)}-${++serial}`,
  };
  const batching = hasSlots(engine) ? "continuous" as const : "request" as const;
  let rejected = 0;
  const metrics = (): ServeMetrics => metricsOf(state, batching, slots.stats(), state.ledger.totals(), rejected);
  const server = createServer((req, res) => {
    route(state, batching, metrics, req, res).catch((error: unknown) => {
      if (error instanceof ApiError) rejected++;
      reply(res, error);
    });
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await listen(server, host, options.port ?? 8080);
  } catch (error) {
    await slots.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, host, port, modelName: state.modelName, info: engine.info,
    batching, chatFormat: state.chatFormat, metrics,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await slots.close();
      await state.ledger.close();
      await closed;
    },
  };
}

function metricsOf(state: ServeState, batching: ServeMetrics["batching"], stats: SlotStats, energy: EnergyTotals, rejected: number): ServeMetrics {
  return {
    model: state.modelName, batching,
    requests: { ...state.counters, rejected, active: stats.active, waiting: stats.waiting },
    engine: { capacity: stats.capacity, steps: stats.steps, decode_calls: stats.decodeCalls, max_sequences_per_decode: stats.maxSequencesPerDecode },
    energy: {
      scope: "total", segments: energy.segments, segments_j: energy.segmentsJ, attributed_j: energy.attributedJ,
      unattributed_j: energy.unattributedJ, failed_segments: energy.failedSegments,
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new Error(`port ${port} on ${host} is in use; pick another with --port (0 takes any free one)`) : error);
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

async function route(state: ServeState, batching: string, metrics: () => ServeMetrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  const get = (): void => { if (req.method !== "GET") throw new ApiError(`${path} takes GET, not ${req.method}`, 405); };
  if (path === "/health") return get(), json(res, 200, { status: "ok", model: state.modelName });
  if (path === "/metrics") return get(), json(res, 200, metrics());
  if (path === "/v1/models") return get(), json(res, 200, { object: "list", data: [modelCard(state, batching)] });
  const parse = path === "/v1/completions" ? parseCompletion : path === "/v1/chat/completions" ? parseChat : null;
  if (!parse) throw new ApiError(`no route ${req.method} ${path}; wattlab serve answers /v1/completions, /v1/chat/completions, /v1/models, /health and /metrics`, 404, "not_found_error");
  if (req.method !== "POST") throw new ApiError(`${path} takes POST, not ${req.method}`, 405);
  const parsed = parse(parseJsonBody(await readBody(req)));
  checkModel(state, parsed);
  const ids = promptIds(state, parsed);
  await runCompletion(state, parsed, ids, maxTokensFor(state, parsed, ids.length), res);
}

function checkModel(state: ServeState, parsed: ParsedRequest): void {
  if (parsed.model !== undefined && parsed.model !== state.modelName) {
    throw new ApiError(`model "${parsed.model}" is not served here; this server serves "${state.modelName}" (see GET /v1/models)`, 400);
  }
}

function modelCard(state: ServeState, batching: string): object {
  const { info } = state;
  return {
    id: state.modelName, object: "model", created: 0, owned_by: "wattlab",
    engine: info.engine, device: info.device, weight_form: info.weightForm, backend: info.backendVersion,
    ...(info.flashAttention ? { flash_attention: info.flashAttention } : {}),
    context_length: state.slots.contextSize, max_concurrency: state.slots.capacity, batching,
    chat_format: state.chatFormat, energy_attribution: "segment energy split by tokens processed (see the README's wattlab serve section)",
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(`the request body is over ${MAX_BODY_BYTES / 2 ** 20} MiB`, 413));
        req.destroy();
      } else {
        parts.push(part);
      }
    });
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** An error as OpenAI answers one: its status, {error: {message, type}}. */
function reply(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.end();
    return;
  }
  const api = error instanceof ApiError ? error : new ApiError(`internal error: ${(error as Error)?.message ?? String(error)}`, 500, "server_error");
  json(res, api.status, errorBody(api));
}
