// Lays out every weight in the external data file and adds the matching initializers and MatMul /
// MatMulNBits nodes to the graph. Nothing is computed here: each tensor becomes a WeightJob to run later.
import { elementCount, type WeightSpec } from "../presets.js";
import { DataType, type TensorDef } from "../../formats/onnx-proto.js";
import type { GraphBuilder } from "./graph.js";
import { blobBytes, kBlocks, zeroPointBytesPerRow } from "./nbits.js";
import type { FloatForm, WeightJob } from "./weight-jobs.js";

/** How linear (MatMul) weights are stored. */
export type LinearForm = { kind: "float" } | { kind: "nbits"; bits: 4 | 8; blockSize: number };

export function floatType(form: FloatForm): number {
  return form === "fp16" ? DataType.FLOAT16 : DataType.FLOAT;
}

export class WeightPlan {
  readonly jobs: WeightJob[] = [];
  /** Bytes of the external data file. */
  size = 0;
  usesContribOps = false;

  constructor(private readonly g: GraphBuilder, private readonly location: string,
    private readonly act: FloatForm, private readonly linearForm: LinearForm) {}

  /** Page-aligns large tensors so that onnxruntime can memory-map them. */
  private alloc(bytes: number): number {
    const align = bytes >= 4096 ? 4096 : 64;
    const offset = Math.ceil(this.size / align) * align;
    this.size = offset + bytes;
    return offset;
  }

  private external(name: string, dataType: number, dims: number[], bytes: number): { def: TensorDef; offset: number } {
    const offset = this.alloc(bytes);
    return { def: { name, dataType, dims, external: { location: this.location, offset, length: bytes } }, offset };
  }

  /** Embedding, norm or bias in the activation type and HF shape; returns the initializer name. */
  tensor(spec: WeightSpec): string {
    const bytes = elementCount(spec) * (this.act === "fp16" ? 2 : 4);
    const { def, offset } = this.external(spec.name, floatType(this.act), spec.shape, bytes);
    this.jobs.push({ kind: "plain", spec, form: this.act, offset });
    return this.g.initializer(def);
  }

  /** y = x Wᵀ (+ b) for an HF weight [out, in]; returns y's name. */
  linear(x: string, spec: WeightSpec, bias?: WeightSpec): string {
    return this.packedLinear(x, [spec], bias ? [bias] : undefined, spec.name);
  }

  /**
   * One MatMul (or MatMulNBits) over several HF weights with the same input size, their outputs
   * concatenated in order (packed Q/K/V: one kernel instead of three). `name` names the packed tensors.
   */
  packedLinear(x: string, specs: WeightSpec[], biases: WeightSpec[] | undefined, name: string): string {
    const k = specs[0].shape[1];
    if (specs.some((s) => s.shape[1] !== k)) throw new Error(`${name}: packed weights must share their input size ${k}`);
    const n = specs.reduce((sum, s) => sum + s.shape[0], 0);
    let y: string;
    if (this.linearForm.kind === "float") {
      const bytes = n * k * (this.act === "fp16" ? 2 : 4);
      const { def, offset } = this.external(name, floatType(this.act), [k, n], bytes);
      let start = 0;
      for (const spec of specs) {
        this.jobs.push({ kind: "transposed", spec, form: this.act, offset, ...(specs.length > 1 ? { columns: { total: n, start } } : {}) });
        start += spec.shape[0];
      }
      y = this.g.op("MatMul", [x, this.g.initializer(def)], {}, { name: "MatMul" });
    } else {
      // MatMulNBits rows are output rows, so packed tensors are the parts one after another.
      const shape = { bits: this.linearForm.bits, blockSize: this.linearForm.blockSize, n, k };
      const blocks = kBlocks(shape);
      const blobRow = blocks * blobBytes(shape);
      const scaleBytes = this.act === "fp16" ? 2 : 4;
      const zpRow = zeroPointBytesPerRow(shape);
      const b = this.external(`${name}.quant`, DataType.UINT8, [n, blocks, blobBytes(shape)], n * blobRow);
      const scales = this.external(`${name}.scales`, floatType(this.act), [n * blocks], n * blocks * scaleBytes);
      const zp = this.external(`${name}.zero_points`, DataType.UINT8, [n * zpRow], n * zpRow);
      let row = 0;
      for (const spec of specs) {
        this.jobs.push({ kind: "nbits", spec, shape: { ...shape, n: spec.shape[0] }, scaleForm: this.act,
          offsets: { b: b.offset + row * blobRow, scales: scales.offset + row * blocks * scaleBytes, zeroPoints: zp.offset + row * zpRow } });
        row += spec.shape[0];
      }
      y = this.g.op("MatMulNBits", [x, this.g.initializer(b.def), this.g.initializer(scales.def), this.g.initializer(zp.def)], {
        K: { i: k }, N: { i: n }, bits: { i: shape.bits }, block_size: { i: shape.blockSize },
        // 0: compute in the activation type (dequantized weights); 4 would also quantize activations to int8 on CPU
        accuracy_level: { i: 0 },
      }, { domain: "com.microsoft", name: "MatMulNBits" });
      this.usesContribOps = true;
    }
    if (!biases) return y;
    return this.g.op("Add", [y, biases.length === 1 ? this.tensor(biases[0]) : this.packedTensor(biases, `${name}.bias`)]);
  }

  /** 1-D weights (biases) one after another in one initializer. */
  private packedTensor(specs: WeightSpec[], name: string): string {
    const elementBytes = this.act === "fp16" ? 2 : 4;
    const total = specs.reduce((sum, s) => sum + elementCount(s), 0);
    const { def, offset } = this.external(name, floatType(this.act), [total], total * elementBytes);
    let at = offset;
    for (const spec of specs) {
      this.jobs.push({ kind: "plain", spec, form: this.act, offset: at });
      at += elementCount(spec) * elementBytes;
    }
    return this.g.initializer(def);
  }

  /** GroupQueryAttention's cos_cache or sin_cache [positions, dim/2] in the activation type. */
  ropeTable(table: "cos" | "sin", positions: number, dim: number, theta: number): string {
    const name = `${table}_cache`;
    const bytes = positions * (dim / 2) * (this.act === "fp16" ? 2 : 4);
    const { def, offset } = this.external(name, floatType(this.act), [positions, dim / 2], bytes);
    this.jobs.push({ kind: "rope", name, table, positions, dim, theta, form: this.act, offset });
    return this.g.initializer(def);
  }
}
