// The engine contract: makes tokens, exposes prefill/decode boundaries, knows nothing of energy.

export type ExecutionProvider = "cpu" | "webgpu" | "cuda";
export type EngineName = "onnxruntime" | "llama.cpp";

/** A batch of already-tokenized prompts (no padding; the engine pads as its backend needs). */
export interface GenerateRequest {
  promptIds: number[][];
  maxNewTokens: number;
  /** Ignore EOS and produce exactly maxNewTokens for every row (the output-length sweep needs it). */
  fixedLength: boolean;
}

/**
 * Called at the phase boundaries, outside the engine's own timings, and awaited:
 * a meter opens and closes windows here. Each hook is optional.
 */
export interface GenerationHooks {
  beforePrefill?(): void | Promise<void>;
  /** After the first token of every row is known (time to first token). */
  afterPrefill?(): void | Promise<void>;
  afterDecode?(): void | Promise<void>;
  /**
   * After the prefill (once afterPrefill has run) and after each decode step, outside the engine's timings: the
   * token each row made in that step, null for a row already finished. Returning "stop" ends the generation
   * after this step (a server whose every client has what it asked for); afterDecode still runs.
   */
  afterStep?(tokens: readonly (number | null)[]): void | "stop" | Promise<void | "stop">;
}

export interface GenerationResult {
  /** New tokens per row (prompt excluded). Rows may differ in length when fixedLength is false. */
  outputIds: number[][];
  /** Real prompt tokens summed over rows (padding excluded). */
  inputTokens: number;
  /** New tokens summed over rows. */
  outputTokens: number;
  /** Prefill, i.e. time to first token. Units: s. */
  prefillS: number;
  /** One entry per cached decode step. Units: s. */
  decodeStepS: number[];
  /** prefillS + all decode steps. Units: s. */
  totalS: number;
  /** Peak resident set size of the process seen during the call. Units: bytes. */
  peakRssBytes: number;
}

/** llama.cpp's flash attention: auto (node-llama-cpp's default: on where the backend supports it), on or off. */
export type FlashAttention = "auto" | "on" | "off";
export const FLASH_ATTENTION: readonly FlashAttention[] = ["auto", "on", "off"];

export interface EngineInfo {
  engine: EngineName;
  device: ExecutionProvider | "vulkan" | "metal";
  /** The exact weight form run, e.g. "fp16", "int4 MatMulNBits block 32", "Q4_0". */
  weightForm: string;
  /** Backend version, e.g. onnxruntime-node 1.30.0. */
  backendVersion: string;
  /** Maximum total sequence length the model accepts. */
  contextLength: number;
  vocabSize: number;
  eosTokenIds: number[];
  loadS: number;
  /** onnxruntime: the session config entries the session was opened with; absent when none were given. */
  sessionConfig?: Record<string, string>;
  /** llama.cpp: the flash-attention setting its contexts are created with (auto: on where the backend supports it). */
  flashAttention?: FlashAttention;
  /** CPU threads the engine evaluates with (llama.cpp: its contexts' threads; onnxruntime: intra-op threads as set);
   * absent where the engine keeps its own default and does not report it (onnxruntime without a setting). */
  threads?: number;
  /** What was chosen for the user while opening (e.g. which file of an optimum folder ran), one line each; absent when nothing was. */
  notes?: string[];
}

export interface Engine {
  readonly info: EngineInfo;
  generate(request: GenerateRequest, hooks?: GenerationHooks): Promise<GenerationResult>;
  dispose(): Promise<void>;
}
