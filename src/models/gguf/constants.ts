// GGUF format constants (spec: ggml/docs/gguf.md, version 3). The type names wattlab reports, which the llama.cpp
// engine needs too, live below both in src/formats/gguf-types.ts.
import { GgmlType, ggmlTypeName } from "../../formats/gguf-types.js";

export { GgmlType, fileTypeName, ggmlTypeName } from "../../formats/gguf-types.js";

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types. */
export enum GgufValueType {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
}


/** Elements per block and bytes per block of each type wattlab writes. */
export const BLOCK_LAYOUT: Partial<Record<GgmlType, { elements: number; bytes: number }>> = {
  [GgmlType.F32]: { elements: 1, bytes: 4 },
  [GgmlType.F16]: { elements: 1, bytes: 2 },
  [GgmlType.Q8_0]: { elements: 32, bytes: 2 + 32 },
  [GgmlType.Q4_0]: { elements: 32, bytes: 2 + 16 },
};

/** The dtypes buildGguf accepts, with their tensor type and llama_ftype (`general.file_type`). */
export const GGUF_DTYPES = {
  f32: { tensorType: GgmlType.F32, fileType: 0 },
  f16: { tensorType: GgmlType.F16, fileType: 1 },
  q8_0: { tensorType: GgmlType.Q8_0, fileType: 7 },
  q4_0: { tensorType: GgmlType.Q4_0, fileType: 2 },
} as const;
export type GgufDtype = keyof typeof GGUF_DTYPES;

/** Bytes a tensor of `elements` values of `type` occupies; throws for types wattlab cannot size. */
export function tensorBytes(type: GgmlType, elements: number): number {
  const layout = BLOCK_LAYOUT[type];
  if (!layout) throw new Error(`GGUF: no block layout known for ${ggmlTypeName(type)}`);
  if (elements % layout.elements !== 0) {
    throw new Error(`GGUF: ${elements} elements is not a whole number of ${ggmlTypeName(type)} blocks of ${layout.elements}`);
  }
  return (elements / layout.elements) * layout.bytes;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
