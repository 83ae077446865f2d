// genai_config.json in the shape onnxruntime-genai's model builder writes (see the tiny-random-llama fixture),
// so that an engine reads tensor names and sizes the same way for built and third-party models.
import { eosTokenIds, headDim, type ModelConfig } from "../presets.js";

/** What a wattlab build adds to genai_config.json under "wattlab" (onnxruntime-genai itself does not know the key). */
export interface BuildForm {
  graph: "portable" | "fused";
  logits: "last" | "all";
}

export function genaiConfig(config: ModelConfig, form: BuildForm, filename = "model.onnx"): Record<string, unknown> {
  const eos = eosTokenIds(config);
  return {
    model: {
      bos_token_id: config.bos_token_id,
      context_length: config.max_position_embeddings,
      decoder: {
        session_options: { log_id: "onnxruntime-genai", provider_options: [] },
        filename,
        head_size: headDim(config),
        hidden_size: config.hidden_size,
        inputs: {
          input_ids: "input_ids",
          attention_mask: "attention_mask",
          // the fused graph has none: GroupQueryAttention derives positions from the mask
          ...(form.graph === "portable" ? { position_ids: "position_ids" } : {}),
          past_key_names: "past_key_values.%d.key",
          past_value_names: "past_key_values.%d.value",
        },
        outputs: {
          logits: "logits",
          present_key_names: "present.%d.key",
          present_value_names: "present.%d.value",
        },
        num_attention_heads: config.num_attention_heads,
        num_hidden_layers: config.num_hidden_layers,
        num_key_value_heads: config.num_key_value_heads,
      },
      eos_token_id: eos.length === 1 ? eos[0] : eos,
      pad_token_id: config.pad_token_id ?? eos[0],
      type: config.model_type,
      vocab_size: config.vocab_size,
    },
    search: { max_length: config.max_position_embeddings, do_sample: false, num_beams: 1 },
    // Both graph forms take left-padded batches (the fused one turns them around inside, for
    // GroupQueryAttention); "logits" says whether the output holds every position or only the last.
    wattlab: { graph: form.graph, logits: form.logits, padding_side: "left" },
  };
}
