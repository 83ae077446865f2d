// GGUF's type vocabulary (spec: ggml/docs/gguf.md, version 3) and the names wattlab reports for it: shared by the
// GGUF builder (src/models/gguf) and the llama.cpp engine, which must not import the builder.

/** Tensor element types (ggml_type); only those wattlab writes plus the common ones it may read. */
export enum GgmlType {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, BF16 = 30,
}

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
