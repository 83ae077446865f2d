// Test helper: runs a built decoder in onnxruntime-node on cpu with plain arrays in and float64 logits out.
import ort from "onnxruntime-node";
import { fromHalfArray } from "../../src/models/onnx/fp16.js";

export type Session = ort.InferenceSession;
export type KvCache = Record<string, ort.Tensor>;

export async function openSession(modelPath: string): Promise<Session> {
  return ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"], intraOpNumThreads: 1 });
}

const int64 = (rows: number[][]) =>
  new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

/** An empty cache (past length 0) shaped from the session's metadata. */
export function emptyCache(session: Session, batch: number): KvCache {
  const cache: KvCache = {};
  for (const meta of session.inputMetadata) {
    if (!meta.name.startsWith("past_key_values.") || !meta.isTensor) continue;
    const [, heads, , size] = meta.shape as number[];
    const data = meta.type === "float16" ? new Uint16Array(0) : new Float32Array(0);
    cache[meta.name] = new ort.Tensor(meta.type as "float32", data as Float32Array, [batch, heads, 0, size]);
  }
  return cache;
}

export interface StepInput { inputIds: number[][]; attentionMask: number[][]; positionIds: number[][]; past: KvCache }

/** One forward call; returns logits as float64 [batch, seq, vocab] and the present cache renamed as past. */
export async function runStep(session: Session, input: StepInput): Promise<{ logits: Float64Array; dims: readonly number[]; cache: KvCache }> {
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(input.inputIds), attention_mask: int64(input.attentionMask), ...input.past };
  // the fused graph has no position_ids (GroupQueryAttention derives them from the mask)
  if (session.inputNames.includes("position_ids")) feeds.position_ids = int64(input.positionIds);
  const out = await session.run(feeds);
  const logits = out.logits;
  const values = logits.type === "float16" ? fromHalfArray(logits.data as Uint16Array) : (logits.data as Float32Array);
  const cache: KvCache = {};
  for (const [name, tensor] of Object.entries(out)) {
    if (name.startsWith("present.")) cache[name.replace("present.", "past_key_values.")] = tensor;
  }
  return { logits: Float64Array.from(values), dims: logits.dims, cache };
}

/** A whole prompt batch from an empty cache; positions 0.. for each row's real tokens (left padding). */
export async function runPrompt(session: Session, inputIds: number[][], attentionMask?: number[][]) {
  const mask = attentionMask ?? inputIds.map((row) => row.map(() => 1));
  const positionIds = mask.map((row) => { let p = 0; return row.map((m) => (m ? p++ : 0)); });
  return runStep(session, { inputIds, attentionMask: mask, positionIds, past: emptyCache(session, inputIds.length) });
}
