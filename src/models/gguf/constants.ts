// GGUF format constants (spec: ggml/docs/gguf.md, version 3) and the names wattlab reports for them.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types. */
export enum GgufValueType {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
}

/** Tensor element types (ggml_type); only those wattlab writes plus the common ones it may read. */
export enum GgmlType {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, BF16 = 30,
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

/** llama_ftype → the name llama.cpp prints (llama_model_ftype_name), e.g. 15 → "Q4_K_M". */
const FILE_TYPE_NAMES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
  12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
  19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
  26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
  36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
};

export function fileTypeName(fileType: number): string {
  return FILE_TYPE_NAMES[fileType] ?? `file type ${fileType}`;
}

export function ggmlTypeName(type: number): string {
  return GgmlType[type] ?? `ggml type ${type}`;
}

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
