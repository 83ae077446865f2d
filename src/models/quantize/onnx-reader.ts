// Reads just enough of an ONNX ModelProto to rewrite it: the graph's nodes and initializers are decoded
// (names, op types, tensor data locations) and every other field is kept as raw protobuf to pass through.
import { readFields, toInt, toText, type ProtoField } from "../../formats/protobuf.js";

export interface ParsedTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** Inline bytes (raw_data), when present. */
  raw?: Uint8Array;
  /** External data entries (location, offset, length). */
  external?: { location: string; offset: number; length: number };
  /** float_data / int64_data etc. were used instead of raw_data (not rewritable here). */
  typedFields: boolean;
  fields: ProtoField[];
}

export interface ParsedNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  fields: ProtoField[];
}

export interface ParsedModel {
  /** ModelProto fields other than the graph. */
  modelFields: ProtoField[];
  /** GraphProto fields other than nodes and initializers. */
  graphFields: ProtoField[];
  nodes: ParsedNode[];
  initializers: ParsedTensor[];
  opsets: { domain: string; version: number }[];
}

export function parseTensor(bytes: Uint8Array): ParsedTensor {
  const fields = readFields(bytes);
  const t: ParsedTensor = { name: "", dataType: 0, dims: [], typedFields: false, fields };
  const ext: Record<string, string> = {};
  for (const f of fields) {
    if (f.field === 1 && f.wire === 0) t.dims.push(toInt(f.value));
    else if (f.field === 1 && f.wire === 2) { // packed dims
      for (const d of readPackedVarints(f.value)) t.dims.push(d);
    } else if (f.field === 2 && f.wire === 0) t.dataType = toInt(f.value);
    else if (f.field === 8 && f.wire === 2) t.name = toText(f.value);
    else if (f.field === 9 && f.wire === 2) t.raw = f.value;
    else if (f.field === 13 && f.wire === 2) {
      const entry = readFields(f.value);
      const key = entry.find((e) => e.field === 1);
      const value = entry.find((e) => e.field === 2);
      if (key?.wire === 2) ext[toText(key.value)] = value?.wire === 2 ? toText(value.value) : "";
    } else if ([4, 5, 6, 7, 10, 11].includes(f.field)) t.typedFields = true;
  }
  if (ext.location !== undefined) {
    t.external = { location: ext.location, offset: Number(ext.offset ?? 0), length: Number(ext.length ?? -1) };
  }
  return t;
}

function readPackedVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let value = 0n;
  let shift = 0n;
  for (const b of bytes) {
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) { out.push(Number(BigInt.asIntN(64, value))); value = 0n; shift = 0n; } else shift += 7n;
  }
  return out;
}

export function parseNode(bytes: Uint8Array): ParsedNode {
  const fields = readFields(bytes);
  const n: ParsedNode = { opType: "", domain: "", name: "", inputs: [], outputs: [], fields };
  for (const f of fields) {
    if (f.wire !== 2) continue;
    if (f.field === 1) n.inputs.push(toText(f.value));
    else if (f.field === 2) n.outputs.push(toText(f.value));
    else if (f.field === 3) n.name = toText(f.value);
    else if (f.field === 4) n.opType = toText(f.value);
    else if (f.field === 7) n.domain = toText(f.value);
  }
  return n;
}

export function parseModel(bytes: Uint8Array): ParsedModel {
  const model: ParsedModel = { modelFields: [], graphFields: [], nodes: [], initializers: [], opsets: [] };
  let graph: Uint8Array | null = null;
  for (const f of readFields(bytes)) {
    if (f.field === 7 && f.wire === 2) { graph = f.value; continue; }
    if (f.field === 8 && f.wire === 2) {
      const o = readFields(f.value);
      const domain = o.find((x) => x.field === 1);
      const version = o.find((x) => x.field === 2);
      model.opsets.push({ domain: domain?.wire === 2 ? toText(domain.value) : "", version: version?.wire === 0 ? toInt(version.value) : 0 });
    }
    model.modelFields.push(f);
  }
  if (!graph) throw new Error("ONNX model has no graph (field 7); is this an ONNX ModelProto?");
  for (const f of readFields(graph)) {
    if (f.field === 1 && f.wire === 2) model.nodes.push(parseNode(f.value));
    else if (f.field === 5 && f.wire === 2) model.initializers.push(parseTensor(f.value));
    else model.graphFields.push(f);
  }
  return model;
}
