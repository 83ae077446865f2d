// wattlab's GGUF writer and reader: build llama.cpp models from presets, read any GGUF's header.
export { buildGguf, modelEntries } from "./build.js";
export type { BuildGgufOptions, BuildGgufResult } from "./build.js";
export { readGguf, readGgufTensor } from "./reader.js";
export type { GgufFile, GgufTensorInfo } from "./reader.js";
export { writeGguf, ggufHeader } from "./writer.js";
export { writeGgufTensors } from "./parallel-writer.js";
export { planTensors, tensorValues, permuteRotaryRows, ggufTensorName } from "./tensors.js";
export type { PlannedTensor, TensorPlan } from "./tensors.js";
export type { GgufTensorSpec, GgufWriteResult } from "./writer.js";
export { encodeTensor, decodeTensor, StreamingEncoder } from "./quantize.js";
export { GgmlType, GgufValueType, GGUF_DTYPES, fileTypeName, ggmlTypeName } from "./constants.js";
export type { GgufDtype } from "./constants.js";
export { metadataValue } from "./metadata.js";
export type { GgufEntry } from "./metadata.js";
export { vocabEntries, TokenType } from "./vocab.js";
