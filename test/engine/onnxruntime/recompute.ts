// The reference for cached decode: greedy tokens from the bare session, recomputing the whole sequence with
// an empty past at every step (the genai fixture's layout: 2 layers, 1 KV head, head size 16, fp16).
import { argmaxLastPosition } from "../../../src/engine/onnxruntime/argmax.js";
import { createSession, tensor, type OrtFeeds } from "../../../src/engine/onnxruntime/session.js";
import type { ExecutionProvider } from "../../../src/engine/types.js";

export async function greedyByRecompute(modelPath: string, prompt: readonly number[], steps: number, device: ExecutionProvider = "cpu"): Promise<number[]> {
  const session = await createSession(modelPath, { device });
  try {
    const sequence = [...prompt];
    const recomputed: number[] = [];
    for (let step = 0; step < steps; step++) {
      const n = sequence.length;
      const feeds: OrtFeeds = {
        input_ids: tensor("int64", BigInt64Array.from(sequence, BigInt), [1, n]),
        attention_mask: tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
        position_ids: tensor("int64", BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]),
      };
      for (let layer = 0; layer < 2; layer++) {
        for (const kind of ["key", "value"]) feeds[`past_key_values.${layer}.${kind}`] = tensor("float16", new Uint16Array(0), [1, 1, 0, 16]);
      }
      const out = await session.run(feeds);
      const [next] = argmaxLastPosition(out.logits.data as Uint16Array, 1, n, 32000);
      recomputed.push(next);
      sequence.push(next);
    }
    return recomputed;
  } finally {
    await session.release();
  }
}
