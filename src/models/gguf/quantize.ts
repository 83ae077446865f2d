// Float32 → GGUF tensor bytes, mirroring ggml's reference quantizers (quantize_row_q8_0_ref,
// quantize_row_q4_0_ref) so a wattlab-written Q8_0/Q4_0 file holds what llama-quantize --pure would write.
import { fromHalf, toHalf, toHalfArray } from "../onnx/fp16.js";
import { BLOCK_LAYOUT, GgmlType, ggmlTypeName } from "./constants.js";

const QK = 32; // elements per Q8_0 / Q4_0 block

/** C's roundf: halves away from zero (Math.round sends -2.5 to -2). */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Q8_0 block: f16 scale d = amax/127, then 32 int8 q = round(x/d). */
function quantizeBlockQ8_0(x: Float32Array, from: number, out: DataView, at: number): void {
  let amax = 0;
  for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
  const d = Math.fround(amax / 127);
  const id = d ? Math.fround(1 / d) : 0;
  out.setUint16(at, toHalf(d), true);
  for (let j = 0; j < QK; j++) out.setInt8(at + 2 + j, roundAway(Math.fround(x[from + j] * id)));
}

/**
 * Q4_0 block: f16 scale d = max/-8 where max is the value of largest magnitude (sign kept), then
 * 16 bytes of nibbles q = min(15, trunc(x/d + 8.5)); byte j holds element j (low) and j+16 (high).
 */
function quantizeBlockQ4_0(x: Float32Array, from: number, out: DataView, at: number): void {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[from + j];
    if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
  }
  const d = Math.fround(max / -8);
  const id = d ? Math.fround(1 / d) : 0;
  out.setUint16(at, toHalf(d), true);
  for (let j = 0; j < QK / 2; j++) {
    const x0 = Math.fround(x[from + j] * id);
    const x1 = Math.fround(x[from + QK / 2 + j] * id);
    const q0 = Math.min(15, Math.trunc(Math.fround(x0 + 8.5)));
    const q1 = Math.min(15, Math.trunc(Math.fround(x1 + 8.5)));
    out.setUint8(at + 2 + j, q0 | (q1 << 4));
  }
}

/** Encodes whole values (F32, F16) or whole blocks (Q8_0, Q4_0) of `x` into bytes. */
export function encodeTensor(type: GgmlType, x: Float32Array): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    case GgmlType.F16: {
      const half = toHalfArray(x);
      return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
    }
    case GgmlType.Q8_0:
    case GgmlType.Q4_0: {
      if (x.length % QK !== 0) throw new Error(`${ggmlTypeName(type)}: ${x.length} values is not a whole number of blocks of ${QK}`);
      const blockBytes = BLOCK_LAYOUT[type]!.bytes;
      const out = new Uint8Array((x.length / QK) * blockBytes);
      const view = new DataView(out.buffer);
      const quantizeBlock = type === GgmlType.Q8_0 ? quantizeBlockQ8_0 : quantizeBlockQ4_0;
      for (let b = 0; b < x.length / QK; b++) quantizeBlock(x, b * QK, view, b * blockBytes);
      return out;
    }
    default:
      throw new Error(`GGUF writer: tensor type ${ggmlTypeName(type)} is not supported (use F32, F16, Q8_0 or Q4_0)`);
  }
}

/** The inverse of encodeTensor (values as llama.cpp's dequantize_row_* computes them); for tests and checks. */
export function decodeTensor(type: GgmlType, bytes: Uint8Array, elements: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(elements);
  switch (type) {
    case GgmlType.F32:
      for (let i = 0; i < elements; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case GgmlType.F16:
      for (let i = 0; i < elements; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
      return out;
    case GgmlType.Q8_0:
      for (let b = 0; b < elements / QK; b++) {
        const at = b * 34;
        const d = fromHalf(view.getUint16(at, true));
        for (let j = 0; j < QK; j++) out[b * QK + j] = view.getInt8(at + 2 + j) * d;
      }
      return out;
    case GgmlType.Q4_0:
      for (let b = 0; b < elements / QK; b++) {
        const at = b * 18;
        const d = fromHalf(view.getUint16(at, true));
        for (let j = 0; j < QK / 2; j++) {
          const byte = view.getUint8(at + 2 + j);
          out[b * QK + j] = ((byte & 0x0f) - 8) * d;
          out[b * QK + QK / 2 + j] = ((byte >> 4) - 8) * d;
        }
      }
      return out;
    default:
      throw new Error(`GGUF: cannot decode tensor type ${ggmlTypeName(type)}`);
  }
}

/**
 * Turns a stream of float chunks of any size into encoded bytes, carrying a partial block over to the
 * next chunk, so tensors can be generated and written piece by piece.
 */
export class StreamingEncoder {
  private readonly blockElements: number;
  private carry = new Float32Array(0);

  constructor(private readonly type: GgmlType) {
    const layout = BLOCK_LAYOUT[type];
    if (!layout) throw new Error(`GGUF writer: tensor type ${ggmlTypeName(type)} is not supported (use F32, F16, Q8_0 or Q4_0)`);
    this.blockElements = layout.elements;
  }

  push(chunk: Float32Array): Uint8Array {
    let values = chunk;
    if (this.carry.length > 0) {
      values = new Float32Array(this.carry.length + chunk.length);
      values.set(this.carry);
      values.set(chunk, this.carry.length);
    }
    const whole = values.length - (values.length % this.blockElements);
    this.carry = values.slice(whole);
    return encodeTensor(this.type, values.subarray(0, whole));
  }

  /** Throws if values are left that do not fill a block (the tensor's size was not a block multiple). */
  finish(): void {
    if (this.carry.length > 0) {
      throw new Error(`${ggmlTypeName(this.type)}: ${this.carry.length} values left over; tensor size is not a multiple of ${this.blockElements}`);
    }
  }
}
