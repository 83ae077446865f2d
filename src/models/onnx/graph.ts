// A small ONNX graph builder: nodes with generated unique names, cached constants, typed inputs/outputs.
import { DataType, type Attr, type GraphDef, type NodeDef, type TensorDef, type ValueInfoDef } from "../../formats/onnx-proto.js";
import { toHalf } from "./fp16.js";

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];
  readonly inputs: ValueInfoDef[] = [];
  readonly outputs: ValueInfoDef[] = [];
  private readonly constants = new Map<string, string>();
  private readonly used = new Set<string>();
  private scopeName = "";

  constructor(readonly name: string) {}

  /** Prefix for the node names that follow (e.g. "/model/layers.0/attn"). */
  scope(name: string): void {
    this.scopeName = name;
  }

  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns its output names (`outputs` names them explicitly, else they are generated). */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {},
    options: { outputs?: number | string[]; domain?: string; name?: string } = {}): string[] {
    const name = this.unique(`${this.scopeName}/${options.name ?? opType}`);
    const outputs = Array.isArray(options.outputs)
      ? options.outputs
      : Array.from({ length: options.outputs ?? 1 }, (_, i) => `${name}/output_${i}`);
    this.nodes.push({ opType, inputs, outputs, name, domain: options.domain, attrs });
    return outputs;
  }

  /** Single-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {},
    options: { output?: string; domain?: string; name?: string } = {}): string {
    return this.node(opType, inputs, attrs, { ...options, outputs: options.output ? [options.output] : 1 })[0];
  }

  initializer(t: TensorDef): string {
    this.initializers.push(t);
    return t.name;
  }

  private constant(key: string, make: (name: string) => TensorDef): string {
    const found = this.constants.get(key);
    if (found) return found;
    const name = this.unique(`/const/${key}`);
    this.initializer(make(name));
    this.constants.set(key, name);
    return name;
  }

  /** int64 tensor (a 1-D list, or a scalar with scalar=true). */
  int64(values: number[], scalar = false): string {
    return this.constant(`i64_${scalar ? "s" : ""}${values.join("_")}`, (name) => {
      const raw = new BigInt64Array(values.map((v) => BigInt(v)));
      return { name, dataType: DataType.INT64, dims: scalar ? [] : [values.length], raw: new Uint8Array(raw.buffer) };
    });
  }

  /** Float scalar (or 1-D list) in FLOAT or FLOAT16. */
  float(values: number | number[], dataType: number): string {
    const list = typeof values === "number" ? values : [...values];
    const key = `f${dataType}_${Array.isArray(list) ? list.join("_") : "s" + list}`;
    return this.constant(key.length > 60 ? key.slice(0, 40) + "_" + this.constants.size : key, (name) => {
      const arr = Array.isArray(list) ? list : [list];
      const raw = dataType === DataType.FLOAT16
        ? new Uint8Array(new Uint16Array(arr.map(toHalf)).buffer)
        : new Uint8Array(new Float32Array(arr).buffer);
      return { name, dataType, dims: Array.isArray(list) ? [arr.length] : [], raw };
    });
  }

  input(name: string, elemType: number, shape: (number | string)[]): string {
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  output(name: string, elemType: number, shape: (number | string)[]): void {
    this.outputs.push({ name, elemType, shape });
  }

  toGraph(): GraphDef {
    return { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}
