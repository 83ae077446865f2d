// Rewrites an ONNX model folder (ours or a third-party export such as onnxruntime-genai's) so that every
// MatMul whose B is a constant 2-D float initializer becomes com.microsoft MatMulNBits (4 or 8 bits,
// block-wise round-to-nearest with scales and zero points). onnxruntime-node 1.30's cpu EP runs both widths.
//
// For wattlab's own presets, build int4/int8 directly instead (buildModel / `wattlab build-model --dtype int4`):
// the builder streams every weight in bounded blocks and writes the same bytes this function would (see
// test/models/quantize-model.test.ts), whereas this function holds one whole weight at a time, several
// times over (file bytes, float32 rows, packed output): about 6 GB for a 7B Qwen's 152k × 3584 lm_head.
// It is meant for third-party folders (e.g. onnxruntime-genai exports), and works on both graph forms.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { fromHalfArray, toHalfArray } from "../onnx/fp16.js";
import { blobBytes, kBlocks, quantizeRows, zeroPointBytesPerRow, type NBitsShape } from "../onnx/nbits.js";
import { DataType, bytesPerElement, writeNode, writeTensor, type NodeDef, type TensorDef } from "../../formats/onnx-proto.js";
import { ProtoWriter, writeField } from "../../formats/protobuf.js";
import { halfRound } from "../onnx/weight-jobs.js";
import { parseModel, type ParsedModel, type ParsedTensor } from "./onnx-reader.js";

export interface QuantizeOptions {
  /** Folder with model.onnx (and its external data); other files are copied along. */
  inputDir: string;
  outDir: string;
  bits: 4 | 8;
  /** Power of two ≥ 16; default 32. */
  blockSize?: number;
  /** MatMulNBits accuracy_level: 0 computes in the activation type; 4 quantizes activations to int8 on CPU. */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
  modelFile?: string;
}

export interface QuantizeReport {
  quantized: string[];
  skipped: { node: string; reason: string }[];
  weightForm: string;
  /** model.onnx + its data before and after. Units: bytes. */
  bytesBefore: number;
  bytesAfter: number;
}

const DATA_FILE = "model.onnx.data";

class DataSink {
  private readonly fd: number;
  size = 0;
  constructor(path: string) { this.fd = openSync(path, "w"); }
  append(bytes: Uint8Array): number {
    const offset = Math.ceil(this.size / 64) * 64;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, offset + done);
    this.size = offset + bytes.length;
    return offset;
  }
  close(): void { closeSync(this.fd); }
}

function tensorBytes(t: ParsedTensor, dir: string): Uint8Array {
  if (t.raw) return t.raw;
  if (!t.external) throw new Error(`initializer ${t.name} holds neither raw_data nor external data`);
  const length = t.external.length >= 0 ? t.external.length : t.dims.reduce((a, b) => a * b, 1) * bytesPerElement(t.dataType);
  const out = new Uint8Array(length);
  const fd = openSync(join(dir, t.external.location), "r");
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, t.external.offset + done);
      if (n === 0) throw new Error(`external data of ${t.name} ends early in ${t.external.location}`);
      done += n;
    }
  } finally { closeSync(fd); }
  return out;
}

/** [K, N] float weights as float32 rows of Wᵀ, i.e. [N, K]. */
function transposedRows(t: ParsedTensor, bytes: Uint8Array): Float32Array {
  const [k, n] = t.dims;
  const copy = bytes.slice();
  const values = t.dataType === DataType.FLOAT16
    ? fromHalfArray(new Uint16Array(copy.buffer, 0, k * n))
    : new Float32Array(copy.buffer, 0, k * n);
  const out = new Float32Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out[j * k + i] = values[i * n + j];
  return out;
}

function fileBytes(dir: string, modelFile: string, locations: Set<string>): number {
  let total = statSync(join(dir, modelFile)).size;
  for (const l of locations) if (existsSync(join(dir, l))) total += statSync(join(dir, l)).size;
  return total;
}

/** The model's bytes with the replaced nodes, the initializers kept inline, and the external ones (kept and new). */
function encodeQuantized(model: ParsedModel, replaced: ReadonlyMap<number, NodeDef>, keptInline: readonly ParsedTensor[], external: readonly TensorDef[]): Uint8Array {
  const w = new ProtoWriter();
  const hasContrib = model.opsets.some((o) => o.domain === "com.microsoft");
  for (const f of model.modelFields) writeField(w, f);
  if (!hasContrib && replaced.size > 0) w.message(8, (o) => o.string(1, "com.microsoft").int(2, 1));
  w.message(7, (g) => {
    model.nodes.forEach((node, i) => {
      const r = replaced.get(i);
      g.message(1, (x) => (r ? writeNode(x, r) : node.fields.forEach((f) => writeField(x, f))));
    });
    for (const t of keptInline) g.message(5, (x) => t.fields.forEach((f) => writeField(x, f)));
    for (const t of external) g.message(5, (x) => writeTensor(x, t));
    for (const f of model.graphFields) writeField(g, f);
  });
  return w.finish();
}

/** Copies every plain file of `inputDir` but the `left` names into `outDir`. */
function copyAlong(inputDir: string, outDir: string, left: readonly string[]): void {
  const skip = new Set(left);
  for (const name of readdirSync(inputDir)) {
    if (skip.has(name)) continue;
    if (statSync(join(inputDir, name)).isFile()) copyFileSync(join(inputDir, name), join(outDir, name));
  }
}

export function quantizeModel(options: QuantizeOptions): QuantizeReport {
  const { inputDir, outDir, bits } = options;
  const blockSize = options.blockSize ?? 32;
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new Error(`blockSize ${blockSize} must be a power of two ≥ 16`);
  if (resolve(inputDir) === resolve(outDir)) throw new Error("quantizeModel writes a new folder; give an outDir other than inputDir");
  const modelFile = options.modelFile ?? "model.onnx";
  const model = parseModel(readFileSync(join(inputDir, modelFile)));
  mkdirSync(outDir, { recursive: true });

  const inits = new Map(model.initializers.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  for (const n of model.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const sink = new DataSink(join(outDir, DATA_FILE));
  const newInits: TensorDef[] = [];
  const replaced = new Map<number, NodeDef>();
  const dropped = new Set<string>();
  const report: QuantizeReport = { quantized: [], skipped: [], weightForm: `int${bits} MatMulNBits block ${blockSize} asymmetric`, bytesBefore: 0, bytesAfter: 0 };

  model.nodes.forEach((node, index) => {
    if (node.opType !== "MatMul" || node.domain !== "") return;
    const w = inits.get(node.inputs[1]);
    if (!w) return; // activations × activations (attention)
    const skip = (reason: string) => report.skipped.push({ node: node.name, reason });
    if (w.dims.length !== 2) return skip(`weight ${w.name} has rank ${w.dims.length}`);
    if (w.dataType !== DataType.FLOAT && w.dataType !== DataType.FLOAT16) return skip(`weight ${w.name} is not float`);
    if (w.typedFields) return skip(`weight ${w.name} is stored in typed fields`);
    const [k, n] = w.dims;
    const shape: NBitsShape = { bits, blockSize, n, k };
    const half = w.dataType === DataType.FLOAT16;
    const rows = transposedRows(w, tensorBytes(w, inputDir));
    const blocks = kBlocks(shape);
    const b = new Uint8Array(n * blocks * blobBytes(shape));
    const scales = new Float32Array(n * blocks);
    const zp = new Uint8Array(n * zeroPointBytesPerRow(shape));
    quantizeRows(rows, n, shape, b, scales, zp, half ? halfRound : Math.fround);
    const scaleBytes = half ? new Uint8Array(toHalfArray(scales).buffer) : new Uint8Array(scales.buffer);
    const add = (suffix: string, dataType: number, dims: number[], bytes: Uint8Array): string => {
      const name = `${w.name}.${suffix}`;
      newInits.push({ name, dataType, dims, external: { location: DATA_FILE, offset: sink.append(bytes), length: bytes.length } });
      return name;
    };
    const inputs = [node.inputs[0], add("quant", DataType.UINT8, [n, blocks, blobBytes(shape)], b),
      add("scales", w.dataType, [n * blocks], scaleBytes), add("zero_points", DataType.UINT8, [zp.length], zp)];
    replaced.set(index, {
      opType: "MatMulNBits", domain: "com.microsoft", name: node.name + "_Q" + bits, inputs, outputs: node.outputs,
      attrs: { K: { i: k }, N: { i: n }, bits: { i: bits }, block_size: { i: blockSize }, accuracy_level: { i: options.accuracyLevel ?? 0 } },
    });
    uses.set(w.name, (uses.get(w.name) ?? 1) - 1);
    if (uses.get(w.name) === 0) dropped.add(w.name);
    report.quantized.push(node.name);
  });

  // Kept initializers: inline ones pass through; external ones are copied into the new data file.
  const keptExternal: TensorDef[] = [];
  const keptInline: ParsedTensor[] = [];
  for (const t of model.initializers) {
    if (dropped.has(t.name)) continue;
    if (!t.external) { keptInline.push(t); continue; }
    const bytes = tensorBytes(t, inputDir);
    keptExternal.push({ name: t.name, dataType: t.dataType, dims: t.dims, external: { location: DATA_FILE, offset: sink.append(bytes), length: bytes.length } });
  }
  sink.close();

  writeFileSync(join(outDir, modelFile), encodeQuantized(model, replaced, keptInline, [...keptExternal, ...newInits]));

  // Tokenizer, configs and the like travel along; the old weights do not.
  const locations = new Set(model.initializers.flatMap((t) => (t.external ? [t.external.location] : [])));
  copyAlong(inputDir, outDir, [modelFile, ...locations, "wattlab-manifest.json"]);
  report.bytesBefore = fileBytes(inputDir, modelFile, locations);
  report.bytesAfter = fileBytes(outDir, modelFile, new Set([DATA_FILE]));
  return report;
}
