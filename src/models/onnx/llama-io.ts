// What the portable and fused Llama graphs share: input/output names as onnxruntime-genai's model builder
// names them, their declaration, and the weight lookup by HF name.
import { headDim, weightSpecs, type ModelConfig, type WeightSpec } from "../presets.js";
import { DataType } from "../../formats/onnx-proto.js";
import type { GraphBuilder } from "./graph.js";

/** Graph input/output names, as in the genai fixture. */
export const IO_NAMES = {
  inputIds: "input_ids",
  attentionMask: "attention_mask",
  positionIds: "position_ids",
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  logits: "logits",
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
} as const;

/**
 * Which positions get logits: "last" runs the final norm and lm_head on the last position only
 * (logits [batch, 1, vocab], what greedy generation needs; Hugging Face's logits_to_keep=1), "all" on
 * every position ([batch, seq, vocab], for comparing whole sequences).
 */
export type LogitsForm = "last" | "all";

/** Declares the decoder's inputs and outputs; `positionIds` false leaves position_ids out (fused RoPE). */
export function declareDecoderIO(g: GraphBuilder, config: ModelConfig, T: number,
  options: { positionIds: boolean; logits: LogitsForm }): void {
  const d = headDim(config);
  const kvh = config.num_key_value_heads;
  g.input(IO_NAMES.inputIds, DataType.INT64, ["batch_size", "sequence_length"]);
  g.input(IO_NAMES.attentionMask, DataType.INT64, ["batch_size", "total_sequence_length"]);
  if (options.positionIds) g.input(IO_NAMES.positionIds, DataType.INT64, ["batch_size", "sequence_length"]);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    g.input(IO_NAMES.pastKey(l), T, ["batch_size", kvh, "past_sequence_length", d]);
    g.input(IO_NAMES.pastValue(l), T, ["batch_size", kvh, "past_sequence_length", d]);
  }
  g.output(IO_NAMES.logits, T, ["batch_size", options.logits === "last" ? 1 : "sequence_length", config.vocab_size]);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    g.output(IO_NAMES.presentKey(l), T, ["batch_size", kvh, "total_sequence_length", d]);
    g.output(IO_NAMES.presentValue(l), T, ["batch_size", kvh, "total_sequence_length", d]);
  }
}

/** Looks up a weight by its HF name; a missing one is a builder bug. */
export function weightLookup(config: ModelConfig): (name: string) => WeightSpec {
  const specs = new Map(weightSpecs(config).map((s) => [s.name, s]));
  return (name) => {
    const s = specs.get(name);
    if (!s) throw new Error(`weight ${name} missing from weightSpecs`);
    return s;
  };
}

/** A scalar dimension of a tensor as int64 [1]. */
export function dimOf(g: GraphBuilder, tensor: string, axis: number): string {
  return g.op("Shape", [tensor], { start: { i: axis }, end: { i: axis + 1 } });
}
