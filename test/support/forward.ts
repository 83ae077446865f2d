// An independent float64 forward pass of the Llama/Qwen2 decoder, written from the HF modeling code and not
// from the ONNX graph: the oracle the built models are checked against. Full recompute, no KV cache.
import { headDim, weightSpecs, weightValues, type ModelConfig } from "../../src/models/presets.js";

export type ReferenceWeights = Map<string, Float64Array>;

/** The additive mask value HF uses (float32 finfo.min). */
const MASK_MIN = -3.4028234663852886e38;

/** All weights of a (small) model as float64, drawn from the same seeded streams as the builders. */
export function referenceWeights(config: ModelConfig, seed: number): ReferenceWeights {
  const weights: ReferenceWeights = new Map();
  for (const spec of weightSpecs(config)) weights.set(spec.name, Float64Array.from(weightValues(seed, spec)));
  return weights;
}

export interface ReferenceInput {
  /** [batch][seq] token ids. */
  inputIds: number[][];
  /** [batch][seq] 1 = token, 0 = padding; all ones when omitted. */
  attentionMask?: number[][];
  /** [batch][seq]; 0..seq-1 when omitted. */
  positionIds?: number[][];
}

/** Logits [batch, seq, vocab], row-major. */
export function referenceForward(config: ModelConfig, weights: ReferenceWeights, input: ReferenceInput): Float64Array {
  const batch = input.inputIds.length;
  const seq = input.inputIds[0].length;
  const hidden = config.hidden_size;
  const vocab = config.vocab_size;
  const d = headDim(config);
  const nh = config.num_attention_heads;
  const kvh = config.num_key_value_heads;
  const rep = nh / kvh;
  const w = (name: string): Float64Array => {
    const t = weights.get(name);
    if (!t) throw new Error(`reference weights lack ${name}`);
    return t;
  };
  const linear = (x: Float64Array, name: string, out: number, bias?: string): Float64Array => {
    const W = w(name);
    const inF = x.length;
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let sum = 0;
      const row = o * inF;
      for (let i = 0; i < inF; i++) sum += W[row + i] * x[i];
      y[o] = sum;
    }
    if (bias) { const b = w(bias); for (let o = 0; o < out; o++) y[o] += b[o]; }
    return y;
  };
  const rmsNorm = (x: Float64Array, name: string): Float64Array => {
    let ms = 0;
    for (const v of x) ms += v * v;
    const inv = 1 / Math.sqrt(ms / x.length + config.rms_norm_eps);
    const g = w(name);
    return x.map((v, i) => v * inv * g[i]);
  };
  const invFreq = Array.from({ length: d / 2 }, (_, i) => 1 / config.rope_theta ** ((2 * i) / d));
  // rotate_half RoPE on one head vector (HF: x*cos + rotate_half(x)*sin, angles repeated over both halves)
  const rope = (v: Float64Array, offset: number, position: number): void => {
    for (let i = 0; i < d / 2; i++) {
      const angle = position * invFreq[i];
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const x1 = v[offset + i];
      const x2 = v[offset + i + d / 2];
      v[offset + i] = x1 * c - x2 * s;
      v[offset + i + d / 2] = x2 * c + x1 * s;
    }
  };

  const logits = new Float64Array(batch * seq * vocab);
  const embed = w("model.embed_tokens.weight");
  for (let b = 0; b < batch; b++) {
    const mask = input.attentionMask?.[b] ?? new Array(seq).fill(1);
    const positions = input.positionIds?.[b] ?? Array.from({ length: seq }, (_, i) => i);
    let xs: Float64Array[] = input.inputIds[b].map((id) => embed.slice(id * hidden, (id + 1) * hidden));
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `model.layers.${l}.`;
      const bias = (n: string) => (config.attention_bias ? `${p}self_attn.${n}.bias` : undefined);
      const qs: Float64Array[] = [], ks: Float64Array[] = [], vs: Float64Array[] = [];
      for (let s = 0; s < seq; s++) {
        const h = rmsNorm(xs[s], p + "input_layernorm.weight");
        const q = linear(h, p + "self_attn.q_proj.weight", nh * d, bias("q_proj"));
        const k = linear(h, p + "self_attn.k_proj.weight", kvh * d, bias("k_proj"));
        for (let hd = 0; hd < nh; hd++) rope(q, hd * d, positions[s]);
        for (let hd = 0; hd < kvh; hd++) rope(k, hd * d, positions[s]);
        qs.push(q); ks.push(k); vs.push(linear(h, p + "self_attn.v_proj.weight", kvh * d, bias("v_proj")));
      }
      const next: Float64Array[] = [];
      for (let s = 0; s < seq; s++) {
        const attn = new Float64Array(nh * d);
        for (let hd = 0; hd < nh; hd++) {
          const kvHead = Math.floor(hd / rep);
          const scores = new Float64Array(seq);
          for (let j = 0; j < seq; j++) {
            let dot = 0;
            for (let i = 0; i < d; i++) dot += qs[s][hd * d + i] * ks[j][kvHead * d + i];
            scores[j] = dot / Math.sqrt(d) + (j <= s && mask[j] === 1 ? 0 : MASK_MIN);
          }
          const max = Math.max(...scores);
          let total = 0;
          for (let j = 0; j < seq; j++) { scores[j] = Math.exp(scores[j] - max); total += scores[j]; }
          for (let j = 0; j < seq; j++) {
            const pj = scores[j] / total;
            for (let i = 0; i < d; i++) attn[hd * d + i] += pj * vs[j][kvHead * d + i];
          }
        }
        const x = Float64Array.from(xs[s]);
        const o = linear(attn, p + "self_attn.o_proj.weight", hidden);
        for (let i = 0; i < hidden; i++) x[i] += o[i];
        const h2 = rmsNorm(x, p + "post_attention_layernorm.weight");
        const gate = linear(h2, p + "mlp.gate_proj.weight", config.intermediate_size);
        const up = linear(h2, p + "mlp.up_proj.weight", config.intermediate_size);
        const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
        const down = linear(act, p + "mlp.down_proj.weight", hidden);
        for (let i = 0; i < hidden; i++) x[i] += down[i];
        next.push(x);
      }
      xs = next;
    }
    for (let s = 0; s < seq; s++) {
      const h = rmsNorm(xs[s], "model.norm.weight");
      const head = config.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight";
      logits.set(linear(h, head, vocab), (b * seq + s) * vocab);
    }
  }
  return logits;
}

/** max |a − b| / max |b|: the error figure used across the model tests. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}
