// The decoder signature is read from session metadata: id types, optional inputs, KV names of any
// common export, KV shape from the graph or the config, and one-line errors for what cannot be fed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readDecoderSignature, isPresentName, type ValueInfo } from "../../../src/engine/onnxruntime/signature.js";

const config = { numKvHeads: null, headSize: null, vocabSize: null, kvNameTemplates: [] };
const t = (name: string, type: string, shape: (number | string)[]): ValueInfo => ({ name, isTensor: true, type, shape });

function decoder(options: { ids?: string; past?: (l: number, k: string) => string; present?: (l: number, k: string) => string; positions?: boolean;
  kvShape?: (number | string)[]; kvType?: string; extra?: ValueInfo[] } = {}) {
  const past = options.past ?? ((l, k) => `past_key_values.${l}.${k}`);
  const present = options.present ?? ((l, k) => `present.${l}.${k}`);
  const kvShape = options.kvShape ?? ["batch", 2, "past", 8];
  const inputs = [t("input_ids", options.ids ?? "int64", ["batch", "seq"]), t("attention_mask", options.ids ?? "int64", ["batch", "total"])];
  if (options.positions !== false) inputs.push(t("position_ids", options.ids ?? "int64", ["batch", "seq"]));
  const outputs = [t("logits", "float32", ["batch", "seq", 512])];
  for (let l = 0; l < 3; l++) {
    for (const k of ["key", "value"]) {
      inputs.push(t(past(l, k), options.kvType ?? "float16", kvShape));
      outputs.push(t(present(l, k), options.kvType ?? "float16", kvShape));
    }
  }
  return { inputs: [...inputs, ...(options.extra ?? [])], outputs };
}

test("reads the genai / optimum naming with int64 ids", () => {
  const { inputs, outputs } = decoder();
  const sig = readDecoderSignature(inputs, outputs, config, "m.onnx");
  assert.equal(sig.inputIds.type, "int64");
  assert.equal(sig.positionIds?.name, "position_ids");
  assert.equal(sig.layers.length, 3);
  assert.deepEqual(sig.layers[1], { pastKey: "past_key_values.1.key", pastValue: "past_key_values.1.value", presentKey: "present.1.key", presentValue: "present.1.value" });
  assert.equal(sig.kvType, "float16");
  assert.equal(sig.kvHeads, 2);
  assert.equal(sig.headSize, 8);
  assert.equal(sig.vocabSize, 512);
  assert.equal(sig.logits.type, "float32");
});

test("reads past.N.key naming, int32 ids, no position_ids, fp32 KV", () => {
  const { inputs, outputs } = decoder({ ids: "int32", positions: false, kvType: "float32", past: (l, k) => `past.${l}.${k}`, present: (l, k) => `present_${l}_${k}` });
  const sig = readDecoderSignature(inputs, outputs, config, "m.onnx");
  assert.equal(sig.inputIds.type, "int32");
  assert.equal(sig.positionIds, null);
  assert.equal(sig.kvType, "float32");
  assert.equal(sig.layers[2].pastValue, "past.2.value");
  assert.equal(sig.layers[2].presentValue, "present_2_value");
});

test("symbolic KV dims come from the config, else a one-line error names what is missing", () => {
  const { inputs, outputs } = decoder({ kvShape: ["batch", "heads", "past", "head_size"] });
  const sig = readDecoderSignature(inputs, outputs, { ...config, numKvHeads: 4, headSize: 64 }, "m.onnx");
  assert.equal(sig.kvHeads, 4);
  assert.equal(sig.headSize, 64);
  assert.throws(() => readDecoderSignature(inputs, outputs, config, "m.onnx"), /m\.onnx: KV heads \/ head size are symbolic.*num_key_value_heads/);
});

test("genai_config templates name the KV tensors", () => {
  const { inputs, outputs } = decoder({ past: (l, k) => `cache_in_${k}_L${l}`, present: (l, k) => `cache_out_${k}_L${l}` });
  const templates = ["cache_in_key_L%d", "cache_in_value_L%d", "cache_out_key_L%d", "cache_out_value_L%d"];
  const sig = readDecoderSignature(inputs, outputs, { ...config, kvNameTemplates: templates }, "m.onnx");
  assert.equal(sig.layers[0].presentValue, "cache_out_value_L0");
  assert.ok(isPresentName("cache_out_key_L7", templates));
  assert.ok(isPresentName("present.12.value"));
  assert.ok(!isPresentName("logits"));
});

test("inputs it cannot feed and missing presents are named", () => {
  const extra = decoder({ extra: [t("token_type_ids", "int64", ["batch", "seq"])] });
  assert.throws(() => readDecoderSignature(extra.inputs, extra.outputs, config, "m.onnx"), /m\.onnx: inputs wattlab cannot feed: token_type_ids/);
  const { inputs, outputs } = decoder();
  assert.throws(() => readDecoderSignature(inputs, outputs.filter((o) => o.name !== "present.1.value"), config, "m.onnx"),
    /no present key\/value outputs for layer 1/);
  assert.throws(() => readDecoderSignature(inputs.filter((i) => i.name !== "input_ids"), outputs, config, "m.onnx"), /no "input_ids" input/);
});
