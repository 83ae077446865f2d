// The Llama/Qwen2 decoder with KV cache in standard ONNX ops (opset 17), with inputs and outputs named as
// onnxruntime-genai's model builder names them. Follows HF modeling_llama (eager attention):
// RMSNorm in fp32, RoPE with rotate_half, GQA, additive causal+padding mask, softmax in fp32, SwiGLU.
// With logits "last", the final norm and lm_head see the last position only: the prompt rows are
// left-padded, so the last position is every row's real last token.
import { headDim, type ModelConfig } from "../presets.js";
import { DataType } from "../../formats/onnx-proto.js";
import type { GraphBuilder } from "./graph.js";
import { declareDecoderIO, IO_NAMES, weightLookup, type LogitsForm } from "./llama-io.js";
import { floatType, type WeightPlan } from "./weight-plan.js";
import type { FloatForm } from "./weight-jobs.js";

export { IO_NAMES } from "./llama-io.js";

/** float32's lowest value, the mask's "minus infinity" (HF uses finfo.min; finite keeps fully padded rows NaN-free). */
const MASK_MIN = -3.4028234663852886e38;

/** RoPE tables from position_ids, in fp32 then cast (HF computes cos/sin in fp32): [B, 1, S, d]. */
function ropeTables(g: GraphBuilder, config: ModelConfig, pos: string, toAct: (v: string) => string): { cos: string; sin: string } {
  const F32 = DataType.FLOAT;
  const d = headDim(config);
  g.scope("/model/rotary_emb");
  const invFreq = Array.from({ length: d / 2 }, (_, i) => 1 / config.rope_theta ** ((2 * i) / d));
  const posF = g.op("Unsqueeze", [g.op("Cast", [pos], { to: { i: F32 } }), g.int64([2])]);
  const freqs = g.op("Mul", [posF, g.float(invFreq, F32)]);
  const emb = g.op("Concat", [freqs, freqs], { axis: { i: -1 } });
  const cos = toAct(g.op("Unsqueeze", [g.op("Cos", [emb]), g.int64([1])]));
  const sin = toAct(g.op("Unsqueeze", [g.op("Sin", [emb]), g.int64([1])]));
  return { cos, sin };
}

/** Additive mask [B, 1, S, T] (fp32): query i sits at absolute position T−S+i; keys must be ≤ it and unpadded. */
function attentionMaskBias(g: GraphBuilder, ids: string, mask: string): string {
  const F32 = DataType.FLOAT;
  g.scope("/model/attn_mask");
  const seqLen = g.op("Squeeze", [g.op("Shape", [ids], { start: { i: 1 }, end: { i: 2 } }), g.int64([0])]);
  const totalLen = g.op("Squeeze", [g.op("Shape", [mask], { start: { i: 1 }, end: { i: 2 } }), g.int64([0])]);
  const zero = g.int64([0], true);
  const one = g.int64([1], true);
  const keyIdx = g.op("Range", [zero, totalLen, one]);
  const queryIdx = g.op("Range", [g.op("Sub", [totalLen, seqLen]), totalLen, one]);
  const causal = g.op("LessOrEqual", [keyIdx, g.op("Unsqueeze", [queryIdx, g.int64([1])])]); // [S, T]
  const unpadded = g.op("Unsqueeze", [g.op("Cast", [mask], { to: { i: DataType.BOOL } }), g.int64([1, 2])]); // [B,1,1,T]
  const allowed = g.op("And", [causal, unpadded]);
  return g.op("Where", [allowed, g.float(0, F32), g.float(MASK_MIN, F32)]);
}

export function buildLlamaGraph(g: GraphBuilder, config: ModelConfig, act: FloatForm, weights: WeightPlan, logitsForm: LogitsForm = "last"): void {
  const T = floatType(act);
  const F32 = DataType.FLOAT;
  const d = headDim(config);
  const nh = config.num_attention_heads;
  const kvh = config.num_key_value_heads;
  const spec = weightLookup(config);
  declareDecoderIO(g, config, T, { positionIds: true, logits: logitsForm });
  const ids = IO_NAMES.inputIds;
  const mask = IO_NAMES.attentionMask;
  const pos = IO_NAMES.positionIds;

  g.scope("/model/embed_tokens");
  let x = g.op("Gather", [weights.tensor(spec("model.embed_tokens.weight")), ids]);

  const toAct = (v: string) => (T === F32 ? v : g.op("Cast", [v], { to: { i: T } }));
  const { cos, sin } = ropeTables(g, config, pos, toAct);
  const maskBias = attentionMaskBias(g, ids, mask);

  const rmsNorm = (input: string, weightName: string): string => {
    const x32 = T === F32 ? input : g.op("Cast", [input], { to: { i: F32 } });
    const variance = g.op("ReduceMean", [g.op("Pow", [x32, g.float(2, F32)])], { axes: { ints: [-1] }, keepdims: { i: 1 } });
    const normed = g.op("Div", [x32, g.op("Sqrt", [g.op("Add", [variance, g.float(config.rms_norm_eps, F32)])])]);
    return g.op("Mul", [weights.tensor(spec(weightName)), toAct(normed)]);
  };
  const rotateHalf = (v: string): string => {
    const axis = g.int64([3]);
    const x1 = g.op("Slice", [v, g.int64([0]), g.int64([d / 2]), axis]);
    const x2 = g.op("Slice", [v, g.int64([d / 2]), g.int64([d]), axis]);
    return g.op("Concat", [g.op("Neg", [x2]), x1], { axis: { i: 3 } });
  };
  const rope = (v: string): string => g.op("Add", [g.op("Mul", [v, cos]), g.op("Mul", [rotateHalf(v), sin])]);
  const heads = (v: string, n: number): string => // [B, S, n*d] → [B, n, S, d]
    g.op("Transpose", [g.op("Reshape", [v, g.int64([0, 0, n, d])])], { perm: { ints: [0, 2, 1, 3] } });

  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    g.scope(`/model/layers.${l}/attn`);
    const h = rmsNorm(x, p + "input_layernorm.weight");
    const bias = (name: string) => (config.attention_bias ? spec(p + `self_attn.${name}.bias`) : undefined);
    const q = rope(heads(weights.linear(h, spec(p + "self_attn.q_proj.weight"), bias("q_proj")), nh));
    const k = rope(heads(weights.linear(h, spec(p + "self_attn.k_proj.weight"), bias("k_proj")), kvh));
    const v = heads(weights.linear(h, spec(p + "self_attn.v_proj.weight"), bias("v_proj")), kvh);
    const presentK = g.op("Concat", [IO_NAMES.pastKey(l), k], { axis: { i: 2 } }, { output: IO_NAMES.presentKey(l) });
    const presentV = g.op("Concat", [IO_NAMES.pastValue(l), v], { axis: { i: 2 } }, { output: IO_NAMES.presentValue(l) });
    // GQA without copying K/V: query heads kvh*rep+r are grouped as [B, kvh, rep*S, d] against [B, kvh, T, d]
    const qGrouped = g.op("Reshape", [q, g.int64([0, kvh, -1, d])]);
    const kT = g.op("Transpose", [presentK], { perm: { ints: [0, 1, 3, 2] } });
    const scaled = g.op("Mul", [g.op("MatMul", [qGrouped, kT]), g.float(1 / Math.sqrt(d), T)]);
    let scores = g.op("Reshape", [scaled, g.int64([0, nh, -1, 0])]); // [B, nh, S, T]
    if (T !== F32) scores = g.op("Cast", [scores], { to: { i: F32 } });
    let probs = g.op("Softmax", [g.op("Add", [scores, maskBias])], { axis: { i: -1 } });
    if (T !== F32) probs = g.op("Cast", [probs], { to: { i: T } });
    const context = g.op("MatMul", [g.op("Reshape", [probs, g.int64([0, kvh, -1, 0])]), presentV]); // [B, kvh, rep*S, d]
    const merged = g.op("Reshape", [
      g.op("Transpose", [g.op("Reshape", [context, g.int64([0, nh, -1, d])])], { perm: { ints: [0, 2, 1, 3] } }),
      g.int64([0, 0, nh * d]),
    ]);
    x = g.op("Add", [x, weights.linear(merged, spec(p + "self_attn.o_proj.weight"))]);

    g.scope(`/model/layers.${l}/mlp`);
    const h2 = rmsNorm(x, p + "post_attention_layernorm.weight");
    const gate = weights.linear(h2, spec(p + "mlp.gate_proj.weight"));
    const up = weights.linear(h2, spec(p + "mlp.up_proj.weight"));
    const act2 = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up]);
    x = g.op("Add", [x, weights.linear(act2, spec(p + "mlp.down_proj.weight"))]);
  }

  g.scope("/model/norm");
  // [B, S, H] → [B, 1, H]: lm_head then costs one position instead of S (a 152k vocabulary makes it the largest MatMul)
  if (logitsForm === "last") x = g.op("Slice", [x, g.int64([-1]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
  const final = rmsNorm(x, "model.norm.weight");
  g.scope("/lm_head");
  const logits = weights.linear(final, spec("lm_head.weight"));
  g.op("Identity", [logits], {}, { output: IO_NAMES.logits });
}
