// ONNX ModelProto encoding (field numbers from onnx/onnx.proto, proto2 syntax: repeated scalars unpacked).
import { ProtoWriter } from "./protobuf.js";

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export function bytesPerElement(dataType: number): number {
  switch (dataType) {
    case DataType.FLOAT: case DataType.INT32: return 4;
    case DataType.INT64: case DataType.DOUBLE: return 8;
    case DataType.FLOAT16: return 2;
    case DataType.UINT8: case DataType.INT8: case DataType.BOOL: return 1;
    default: throw new Error(`ONNX data type ${dataType} has no fixed element size here`);
  }
}

export interface ExternalRef { location: string; offset: number; length: number }

export interface TensorDef {
  name: string;
  dataType: number;
  dims: number[];
  /** Inline little-endian bytes, or `external` for data in the side file. */
  raw?: Uint8Array;
  external?: ExternalRef;
}

export type Attr =
  | { i: number } | { f: number } | { s: string }
  | { ints: number[] } | { floats: number[] } | { t: TensorDef };

export interface NodeDef {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain?: string;
  attrs?: Record<string, Attr>;
}

/** A graph input/output; string dims are symbolic (dim_param). */
export interface ValueInfoDef { name: string; elemType: number; shape: (number | string)[] }

export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  initializers: TensorDef[];
  inputs: ValueInfoDef[];
  outputs: ValueInfoDef[];
}

export interface ModelDef {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: GraphDef;
  metadata?: Record<string, string>;
}

// AttributeProto.AttributeType
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export function writeTensor(w: ProtoWriter, t: TensorDef): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  if (t.external) {
    const entries: [string, string][] = [
      ["location", t.external.location], ["offset", String(t.external.offset)], ["length", String(t.external.length)],
    ];
    for (const [key, value] of entries) w.message(13, (e) => e.string(1, key).string(2, value));
    w.int(14, 1); // DataLocation.EXTERNAL
  } else {
    w.bytesField(9, t.raw ?? new Uint8Array(0));
  }
}

function writeAttr(w: ProtoWriter, name: string, a: Attr): void {
  w.string(1, name);
  if ("i" in a) w.int(3, a.i).int(20, AttrType.INT);
  else if ("f" in a) w.float(2, a.f).int(20, AttrType.FLOAT);
  else if ("s" in a) w.string(4, a.s).int(20, AttrType.STRING);
  else if ("ints" in a) { for (const v of a.ints) w.int(8, v); w.int(20, AttrType.INTS); }
  else if ("floats" in a) { for (const v of a.floats) w.float(7, v); w.int(20, AttrType.FLOATS); }
  else { w.message(5, (t) => writeTensor(t, a.t)); w.int(20, AttrType.TENSOR); }
}

export function writeNode(w: ProtoWriter, n: NodeDef): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attrs ?? {})) w.message(5, (x) => writeAttr(x, name, a));
  if (n.domain) w.string(7, n.domain);
}

export function writeValueInfo(w: ProtoWriter, v: ValueInfoDef): void {
  w.string(1, v.name);
  w.message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, v.elemType);
    tensor.message(2, (shape) => {
      for (const d of v.shape) shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
    });
  }));
}

export function writeGraph(w: ProtoWriter, g: GraphDef): void {
  for (const n of g.nodes) w.message(1, (x) => writeNode(x, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (x) => writeTensor(x, t));
  for (const v of g.inputs) w.message(11, (x) => writeValueInfo(x, v));
  for (const v of g.outputs) w.message(12, (x) => writeValueInfo(x, v));
}

export function encodeModel(m: ModelDef): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  w.message(7, (g) => writeGraph(g, m.graph));
  for (const o of m.opsets) w.message(8, (x) => { if (o.domain) x.string(1, o.domain); x.int(2, o.version); });
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, (x) => x.string(1, key).string(2, value));
  return w.finish();
}
