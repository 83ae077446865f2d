// The one module of wattlab that imports onnxruntime-node: sessions, tensors, the backend version.
// Everything else reaches onnxruntime through these few functions and types.
import * as ort from "onnxruntime-node";
import type { ExecutionProvider } from "../types.js";
import { assertCudaReady, executionProviderConfig, explainSessionError, splitWebGpuOptions } from "./providers.js";

export type OrtSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;
export type OrtValueMetadata = ort.InferenceSession.ValueMetadata;
export type OrtFeeds = Record<string, ort.Tensor>;

/** The element types wattlab feeds or reads; fp16 travels as Uint16Array bit patterns (Node 20 has no Float16Array). */
export interface TensorDataMap {
  float16: Uint16Array;
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}
export type TensorType = keyof TensorDataMap;

export interface SessionOptions {
  device: ExecutionProvider;
  /** CPU intra-op threads; onnxruntime's default (one per physical core) when absent. */
  threads?: number;
  /**
   * Outputs to keep on the GPU between runs (WebGPU only: the Node binding binds device outputs
   * through the WebGPU allocator alone). Each comes back as a 'gpu-buffer' tensor that can be fed
   * straight back as an input and must be disposed by the caller.
   */
  gpuOutputs?: readonly string[];
  /** Turns on onnxruntime's profiler, writing `<prefix>_<date>.json` (read it with profile.ts). */
  profilePrefix?: string;
  /**
   * Session config entries, key → value (onnxruntime's AddSessionConfigEntry; the binding's `extra`), e.g.
   * `session.intra_op.allow_spinning: "0"`; of the WebGPU EP's `ep.webgpuexecutionprovider.<option>` keys only
   * validationMode, which goes on the provider object (providers.ts splitWebGpuOptions says why).
   */
  sessionConfig?: Readonly<Record<string, string>>;
}

/** onnxruntime-node's version, e.g. "1.30.0". */
export const ortVersion: string = ort.env.versions.node ?? ort.env.versions.common;

/** The execution providers this onnxruntime-node build lists (cuda's binaries may still be missing). */
export function listBackends(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

export function tensor<T extends TensorType>(type: T, data: TensorDataMap[T], dims: readonly number[]): OrtTensor {
  return new ort.Tensor(type, data as never, dims);
}

/** Opens a session on one model file; errors from the execution provider come back with the fix. */
export async function createSession(modelPath: string, options: SessionOptions): Promise<OrtSession> {
  // WebGPU EP options go on the provider object (executionProviderConfig); the rest are session config entries.
  const extra = options.sessionConfig ? splitWebGpuOptions(options.sessionConfig).extra : undefined;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [executionProviderConfig(options.device, options.sessionConfig)],
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
    ...(extra && Object.keys(extra).length > 0 ? { extra } : {}),
  };
  if (options.gpuOutputs && options.gpuOutputs.length > 0) {
    if (options.device !== "webgpu") throw new Error(`gpuOutputs needs device "webgpu", not "${options.device}"`);
    // Per-output locations: everything on the CPU but the named outputs.
    sessionOptions.preferredOutputLocation = Object.fromEntries(options.gpuOutputs.map((name) => [name, "gpu-buffer" as const]));
  }
  // The CUDA EP binaries are not in the npm package; say so before onnxruntime's bare "Failed to load shared library".
  if (options.device === "cuda" && process.platform === "linux") assertCudaReady();
  try {
    return await ort.InferenceSession.create(modelPath, sessionOptions);
  } catch (error) {
    throw explainSessionError(error, options.device, modelPath);
  }
}
