// The Llama/Qwen2 decoder in onnxruntime's contrib ops, as onnxruntime-genai's model builder lays it out:
// SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization (RMSNorm with the residual add),
// one packed Q/K/V MatMul (or MatMulNBits), GroupQueryAttention with RoPE inside (do_rotary, cos/sin
// tables as initializers), QuickGelu(alpha 1) = SiLU. Same inputs and outputs as the portable graph,
// except position_ids: GroupQueryAttention derives positions from the attention mask.
//
// Padding: GroupQueryAttention reads each row's length from seqlens_k and takes the row's tokens to be
// at the start (right padding). The engine pads on the left, as Hugging Face generate does, so the graph
// rotates each row's current tokens to the front before the embedding and rotates back at the end; the
// KV cache then holds each row right-padded, which only this graph reads. Positions come out 0..len−1
// per row, as with left padding and HF position ids.
import { headDim, type ModelConfig } from "../presets.js";
import { DataType } from "../../formats/onnx-proto.js";
import type { GraphBuilder } from "./graph.js";
import { declareDecoderIO, dimOf, IO_NAMES, weightLookup, type LogitsForm } from "./llama-io.js";
import { floatType, type WeightPlan } from "./weight-plan.js";
import type { FloatForm } from "./weight-jobs.js";

/** onnxruntime's GroupQueryAttention with do_rotary needs head sizes in multiples of 16 (seen in 1.30's CPU kernel). */
export function checkFusedConfig(config: ModelConfig): void {
  const d = headDim(config);
  if (d % 16 !== 0) {
    throw new Error(`graph "fused" needs a head size that is a multiple of 16 (GroupQueryAttention with rotary), ` +
      `this config has ${d}; build it with graph "portable"`);
  }
}

/** The rotation that puts each left-padded row's current tokens first, and the input ids so rotated. */
interface PaddingRotation {
  /** Each row's first flat index, b·S: [B, 1]. */
  rowStart: string;
  /** Each row's real (unpadded) current tokens: [B, 1]. */
  real: string;
  /** Flat indices b·S + (j + offset) mod S: [B, S]. */
  rowIndex: (offset: string) => string;
  frontIds: string;
}

/**
 * Row b's current tokens: the last S mask entries hold real[b] ones after S − real[b] pads. Rotating the row
 * left by the pad count puts the tokens first: flat index b·S + (j + S − real[b]) mod S.
 */
function paddingRotation(g: GraphBuilder, zero: string, one: string): PaddingRotation {
  const ids = IO_NAMES.inputIds;
  const mask = IO_NAMES.attentionMask;
  g.scope("/model/padding");
  const seqLen = dimOf(g, ids, 1); // [1]
  const batchRange = g.op("Range", [zero, g.op("Squeeze", [dimOf(g, ids, 0), g.int64([0])]), one]);
  const rowStart = g.op("Mul", [g.op("Unsqueeze", [batchRange, g.int64([1])]), seqLen]); // [B, 1]
  const current = g.op("Slice", [mask, g.op("Neg", [seqLen]), g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
  const real = g.op("ReduceSum", [current, g.int64([1])], { keepdims: { i: 1 } }); // [B, 1]
  const column = g.op("Range", [zero, g.op("Squeeze", [seqLen, g.int64([0])]), one]); // [S]
  const rowIndex = (offset: string) => g.op("Add", [rowStart, g.op("Mod", [g.op("Add", [column, offset]), seqLen])]);
  const toFront = rowIndex(g.op("Sub", [seqLen, real])); // [B, S]
  const frontIds = g.op("Gather", [g.op("Reshape", [ids, g.int64([-1])]), toFront], { axis: { i: 0 } });
  return { rowStart, real, rowIndex, frontIds };
}

/** GroupQueryAttention's lengths: seqlens_k = tokens per row − 1, total_sequence_length = the mask's width. */
function attentionLengths(g: GraphBuilder, one: string): { seqlensK: string; totalLen: string } {
  const mask = IO_NAMES.attentionMask;
  g.scope("/model/attn_mask_reformat");
  const seqlensK = g.op("Cast", [g.op("Sub", [g.op("ReduceSum", [mask, g.int64([1])], { keepdims: { i: 0 } }), one])], { to: { i: DataType.INT32 } });
  const totalLen = g.op("Cast", [g.op("Squeeze", [dimOf(g, mask, 1), g.int64([0])])], { to: { i: DataType.INT32 } });
  return { seqlensK, totalLen };
}

export function buildLlamaFusedGraph(g: GraphBuilder, config: ModelConfig, act: FloatForm, weights: WeightPlan,
  logitsForm: LogitsForm = "last"): void {
  checkFusedConfig(config);
  const T = floatType(act);
  const d = headDim(config);
  const hidden = config.hidden_size;
  const spec = weightLookup(config);
  declareDecoderIO(g, config, T, { positionIds: false, logits: logitsForm });
  const zero = g.int64([0], true);
  const one = g.int64([1], true);

  const { rowStart, real, rowIndex, frontIds } = paddingRotation(g, zero, one);
  const { seqlensK, totalLen } = attentionLengths(g, one);

  g.scope("/model/rotary_emb");
  const cosCache = weights.ropeTable("cos", config.max_position_embeddings, d, config.rope_theta);
  const sinCache = weights.ropeTable("sin", config.max_position_embeddings, d, config.rope_theta);

  g.scope("/model/embed_tokens");
  const embedded = g.op("Gather", [weights.tensor(spec("model.embed_tokens.weight")), frontIds]);

  const eps = { f: config.rms_norm_eps };
  const norm = (input: string, weightName: string): string =>
    g.op("SimplifiedLayerNormalization", [input, weights.tensor(spec(weightName))],
      { axis: { i: -1 }, epsilon: eps, stash_type: { i: 1 } }, { name: "SimplifiedLayerNormalization" });
  /** RMSNorm(input + skip): returns [normed, the sum (the next residual)]. */
  const skipNorm = (input: string, skip: string, weightName: string): [string, string] => {
    const base = `${weightName}/SkipSimplifiedLayerNormalization`;
    // mean and inv_std_var ("" = not computed) are for training
    g.node("SkipSimplifiedLayerNormalization", [input, skip, weights.tensor(spec(weightName))], { epsilon: eps },
      { outputs: [`${base}/output_0`, "", "", `${base}/output_3`], domain: "com.microsoft", name: "SkipSimplifiedLayerNormalization" });
    return [`${base}/output_0`, `${base}/output_3`];
  };

  let residual = embedded;
  let branch: string | null = null; // the last block's output, added to the residual by the next norm
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    g.scope(`/model/layers.${l}/attn`);
    let h: string;
    if (branch === null) h = norm(residual, p + "input_layernorm.weight");
    else [h, residual] = skipNorm(branch, residual, p + "input_layernorm.weight");
    const qkvNames = ["q_proj", "k_proj", "v_proj"].map((n) => `${p}self_attn.${n}`);
    const qkv = weights.packedLinear(h, qkvNames.map((n) => spec(n + ".weight")),
      config.attention_bias ? qkvNames.map((n) => spec(n + ".bias")) : undefined, `${p}attn.qkv_proj`);
    const [attn] = g.node("GroupQueryAttention",
      [qkv, "", "", IO_NAMES.pastKey(l), IO_NAMES.pastValue(l), seqlensK, totalLen, cosCache, sinCache], {
        num_heads: { i: config.num_attention_heads }, kv_num_heads: { i: config.num_key_value_heads },
        scale: { f: 1 / Math.sqrt(d) }, do_rotary: { i: 1 }, rotary_interleaved: { i: 0 },
      }, { outputs: [`/model/layers.${l}/attn/GroupQueryAttention/output_0`, IO_NAMES.presentKey(l), IO_NAMES.presentValue(l)],
        domain: "com.microsoft", name: "GroupQueryAttention" });
    const attnOut = weights.linear(attn, spec(p + "self_attn.o_proj.weight"));

    g.scope(`/model/layers.${l}/mlp`);
    const [h2, afterAttn] = skipNorm(attnOut, residual, p + "post_attention_layernorm.weight");
    residual = afterAttn;
    const gate = weights.linear(h2, spec(p + "mlp.gate_proj.weight"));
    const up = weights.linear(h2, spec(p + "mlp.up_proj.weight"));
    const silu = g.op("QuickGelu", [gate], { alpha: { f: 1 } }, { domain: "com.microsoft" });
    branch = weights.linear(g.op("Mul", [silu, up]), spec(p + "mlp.down_proj.weight"));
  }

  g.scope("/model/norm");
  const rows = (x: string, index: string) => g.op("Gather", [g.op("Reshape", [x, g.int64([-1, hidden])]), index], { axis: { i: 0 } });
  let final: string;
  if (logitsForm === "last") {
    // each row's last token sits at real − 1 after the rotation: norm and lm_head on that position only
    const last = g.op("Add", [rowStart, g.op("Sub", [real, one])]); // [B, 1]
    [final] = skipNorm(rows(branch!, last), rows(residual, last), "model.norm.weight");
  } else {
    const [normed] = skipNorm(branch!, residual, "model.norm.weight");
    final = rows(normed, rowIndex(real)); // rotated back: position j of the input again
  }
  g.scope("/lm_head");
  g.op("Identity", [weights.linear(final, spec("lm_head.weight"))], {}, { output: IO_NAMES.logits });
}
