// A small OpenAI client for the serve tests: fetch, SSE parsed by hand, and tiny models wattlab builds in a temp folder.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveModel } from "../../src/lab/models.js";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  energy_j: number | null;
  energy_source: string;
  energy_below_resolution: boolean | null;
  energy_counter_updates: number | null;
  batch_size_max: number;
  queue_s: number;
}

export interface Streamed {
  /** Every data: payload but [DONE], parsed. */
  chunks: Array<{ choices: Array<{ text?: string; delta?: { content?: string; role?: string }; finish_reason: string | null }>; usage: Usage | null }>;
  /** Chunks that carry a token (finish_reason null). */
  tokenChunks: number;
  text: string;
  finishReason: string | null;
  usage: Usage | null;
  done: boolean;
}

/** POSTs a streaming request and reads the SSE stream to its end; `onChunk` may abort by returning "abort". */
export async function stream(url: string, body: object, options: { signal?: AbortSignal; onChunk?: (n: number) => void } = {}): Promise<Streamed> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, stream: true }), signal: options.signal });
  assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve("") : res.text()));
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const out: Streamed = { chunks: [], tokenChunks: 0, text: "", finishReason: null, usage: null, done: false };
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(part, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      assert.ok(event.startsWith("data: "), `an SSE event that is not data: ${JSON.stringify(event)}`);
      const data = event.slice(6);
      if (data === "[DONE]") {
        out.done = true;
        continue;
      }
      const chunk = JSON.parse(data) as Streamed["chunks"][number];
      out.chunks.push(chunk);
      const choice = chunk.choices[0];
      if (choice) {
        out.text += choice.text ?? choice.delta?.content ?? "";
        if (choice.finish_reason === null) out.tokenChunks++;
        else out.finishReason = choice.finish_reason;
      }
      if (chunk.usage) out.usage = chunk.usage;
      options.onChunk?.(out.tokenChunks);
    }
  }
  return out;
}

/** POSTs a JSON body (or raw text) and returns the status and parsed answer. */
export async function post(url: string, body: object | string): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

export async function getJson(url: string): Promise<Record<string, any>> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, any>;
}

/** A temp models folder with the tiny preset built for both engines; removed after the test file. */
export async function tinyModels(t: { after(fn: () => void): void }): Promise<{ modelsDir: string; onnx: string; gguf: string }> {
  const modelsDir = mkdtempSync(join(tmpdir(), "wattlab-serve-models-"));
  t.after(() => rmSync(modelsDir, { recursive: true, force: true }));
  const onnx = (await resolveModel("tiny", "fp32", "onnxruntime", { modelsDir })).dir;
  const gguf = (await resolveModel("tiny", "fp32", "llama.cpp", { modelsDir })).dir;
  return { modelsDir, onnx, gguf };
}

/** The same exact-length prompt of token ids for every request (ids inside tiny's vocabulary of 512). */
export function promptIdsOf(length: number, seed = 1): number[] {
  return Array.from({ length }, (_, i) => 3 + ((i * 37 + seed * 101) % 500));
}
