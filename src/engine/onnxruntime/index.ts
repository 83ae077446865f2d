// The onnxruntime engine plugin: what the rest of wattlab may import from this folder.
export { OnnxRuntimeEngine, openOnnxRuntimeEngine } from "./engine.js";
export type { OnnxRuntimeEngineOptions } from "./engine.js";
export { detectModelLayout, WEIGHT_DTYPES } from "./layout.js";
export type { ModelLayout, ModelLayoutKind, WeightDtype, ModelConfigSummary } from "./layout.js";
export type { DecoderSignature, KvLayerNames } from "./signature.js";
export { executionProviderStatus } from "./providers.js";
export type { ProviderStatus } from "./providers.js";
import { listBackends } from "./session.js";
import { executionProviderStatus } from "./providers.js";

/** The execution providers onnxruntime-node offers and whether each can run here. */
export async function listExecutionProviders() {
  return executionProviderStatus(listBackends());
}
