// Reads what a decoder session takes and gives from its input/output metadata: id types, optional
// inputs, the KV cache names per layer and its dtype and shape. Pure: metadata in, signature out.
import type { ModelConfigSummary } from "./layout.js";

/** The subset of onnxruntime's ValueMetadata this module reads. */
export interface ValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface KvLayerNames {
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
}

export interface DecoderSignature {
  inputIds: { name: string; type: "int32" | "int64" };
  attentionMask: { name: string; type: "int32" | "int64" } | null;
  positionIds: { name: string; type: "int32" | "int64" } | null;
  /** optimum's merged decoders take a bool saying whether the past is used. */
  useCacheBranch: string | null;
  layers: KvLayerNames[];
  kvType: "float16" | "float32";
  kvHeads: number;
  headSize: number;
  logits: { name: string; type: "float16" | "float32" };
  vocabSize: number | null;
}

const PAST_PATTERNS: readonly RegExp[] = [
  /^past_key_values\.(\d+)\.(key|value)$/,
  /^past\.(\d+)\.(key|value)$/,
  /^past_key_values_(\d+)_(key|value)$/,
  /^past_(key|value)s?_(\d+)$/,
];
const PRESENT_PATTERNS: readonly RegExp[] = [
  /^present\.(\d+)\.(key|value)$/,
  /^present_key_values\.(\d+)\.(key|value)$/,
  /^present_(\d+)_(key|value)$/,
  /^present_(key|value)s?_(\d+)$/,
];

/** "past_key_values.%d.key" → a pattern whose layer group is 1 and whose kind is fixed. */
function templatePattern(template: string): { regex: RegExp; kind: "key" | "value" } | null {
  // "past_key_values.%d.key": the kind is the last key|value once the "key_values" prefix is set aside.
  const kinds = template.replace(/key_values/g, "").match(/key|value/g);
  const kind = kinds ? (kinds[kinds.length - 1] as "key" | "value") : null;
  if (!kind) return null;
  const escaped = template.split("%d").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(\\d+)");
  return { regex: new RegExp(`^${escaped}$`), kind };
}

/** Layer and kind of a KV name, or null. */
function matchKv(name: string, patterns: readonly RegExp[], templates: readonly string[]): { layer: number; kind: "key" | "value" } | null {
  for (const template of templates) {
    const t = templatePattern(template);
    const m = t?.regex.exec(name);
    if (t && m) return { layer: Number(m[1]), kind: t.kind };
  }
  for (const regex of patterns) {
    const m = regex.exec(name);
    if (!m) continue;
    const [a, b] = [m[1], m[2]];
    return /^\d+$/.test(a) ? { layer: Number(a), kind: b as "key" | "value" } : { layer: Number(b), kind: a as "key" | "value" };
  }
  return null;
}

/** Whether an output name is a present key/value (by the usual patterns or the genai_config templates). */
export function isPresentName(name: string, templates: readonly string[] = []): boolean {
  return matchKv(name, PRESENT_PATTERNS, templates) !== null;
}

function idType(info: ValueInfo, file: string): "int32" | "int64" {
  if (info.type === "int32" || info.type === "int64") return info.type;
  throw new Error(`${file}: input "${info.name}" is ${info.type ?? "not a tensor"}; wattlab feeds int32 or int64`);
}

/**
 * Builds the signature from session metadata; `config` fills KV heads / head size where the graph
 * leaves them symbolic. `file` names the model in errors.
 */
export function readDecoderSignature(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[],
  config: Pick<ModelConfigSummary, "numKvHeads" | "headSize" | "vocabSize" | "kvNameTemplates">, file: string): DecoderSignature {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const inputIdsInfo = byName.get("input_ids");
  if (!inputIdsInfo) throw new Error(`${file}: no "input_ids" input (inputs: ${inputs.map((i) => i.name).join(", ")})`);
  const maskInfo = byName.get("attention_mask");
  const positionInfo = byName.get("position_ids");
  const useCache = byName.get("use_cache_branch");

  const templates = config.kvNameTemplates;
  const past = new Map<number, Partial<Record<"key" | "value", ValueInfo>>>();
  const unknown: string[] = [];
  for (const input of inputs) {
    if ([inputIdsInfo, maskInfo, positionInfo, useCache].includes(input)) continue;
    const kv = matchKv(input.name, PAST_PATTERNS, templates);
    if (!kv) { unknown.push(input.name); continue; }
    past.set(kv.layer, { ...past.get(kv.layer), [kv.kind]: input });
  }
  if (unknown.length > 0) {
    throw new Error(`${file}: inputs wattlab cannot feed: ${unknown.join(", ")} (it feeds input_ids, attention_mask, position_ids, use_cache_branch and past key/values)`);
  }
  if (past.size === 0) throw new Error(`${file}: no past key/value inputs (past_key_values.N.key …): wattlab needs a decoder exported with its KV cache`);

  const present = new Map<number, Partial<Record<"key" | "value", string>>>();
  let logitsInfo: ValueInfo | undefined;
  for (const output of outputs) {
    if (output.name === "logits") { logitsInfo = output; continue; }
    const kv = matchKv(output.name, PRESENT_PATTERNS, templates);
    if (kv) present.set(kv.layer, { ...present.get(kv.layer), [kv.kind]: output.name });
  }
  if (!logitsInfo) throw new Error(`${file}: no "logits" output (outputs: ${outputs.map((o) => o.name).join(", ")})`);
  if (logitsInfo.type !== "float16" && logitsInfo.type !== "float32") {
    throw new Error(`${file}: logits are ${logitsInfo.type}; wattlab reads float16 or float32`);
  }

  const layerCount = past.size;
  const layers: KvLayerNames[] = [];
  let kvInfo: ValueInfo | undefined;
  for (let layer = 0; layer < layerCount; layer++) {
    const p = past.get(layer);
    const q = present.get(layer);
    if (!p?.key || !p.value) throw new Error(`${file}: past key/value inputs of layer ${layer} incomplete (layers must be numbered 0..${layerCount - 1})`);
    if (!q?.key || !q.value) throw new Error(`${file}: no present key/value outputs for layer ${layer} (present.${layer}.key …)`);
    kvInfo ??= p.key;
    layers.push({ pastKey: p.key.name, pastValue: p.value.name, presentKey: q.key, presentValue: q.value });
  }
  const kvType = kvInfo!.type;
  if (kvType !== "float16" && kvType !== "float32") throw new Error(`${file}: KV cache is ${kvType}; wattlab handles float16 or float32`);

  const shape = kvInfo!.shape ?? [];
  const dim = (i: number): number | null => (typeof shape[i] === "number" ? (shape[i] as number) : null);
  if (shape.length !== 4) throw new Error(`${file}: past key "${kvInfo!.name}" has rank ${shape.length}; wattlab expects [batch, kv_heads, past, head_size]`);
  const kvHeads = dim(1) ?? config.numKvHeads;
  const headSize = dim(3) ?? config.headSize;
  if (!kvHeads || !headSize) {
    throw new Error(`${file}: KV heads / head size are symbolic in the graph and the config does not give them ` +
      `(num_key_value_heads, head_dim or hidden_size/num_attention_heads in config.json; head_size in genai_config.json)`);
  }
  const logitsShape = logitsInfo.shape ?? [];
  const vocabSize = typeof logitsShape[2] === "number" ? logitsShape[2] : config.vocabSize;

  return {
    inputIds: { name: inputIdsInfo.name, type: idType(inputIdsInfo, file) },
    attentionMask: maskInfo ? { name: maskInfo.name, type: idType(maskInfo, file) } : null,
    positionIds: positionInfo ? { name: positionInfo.name, type: idType(positionInfo, file) } : null,
    useCacheBranch: useCache ? useCache.name : null,
    layers, kvType, kvHeads, headSize,
    logits: { name: logitsInfo.name, type: logitsInfo.type },
    vocabSize,
  };
}
