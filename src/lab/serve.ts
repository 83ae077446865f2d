// wattlab serve's wiring: the model from the model store (presets built on first use), the engine, the meter and the
// HTTP server (src/serve), for the CLI and for notebooks that start a server in process and read its URL.
import { basename } from "node:path";
import { openEngine, resolveDevice } from "../engine/load.js";
import type { EngineName, ExecutionProvider, FlashAttention } from "../engine/types.js";
import { Meter, type MeterOptions } from "../meter/index.js";
import { startServer, type ServeHandle } from "../serve/index.js";
import type { Quantization, SweepDevice } from "../sweep/dimensions.js";
import { chooseEngine, dtypeFor, isPreset, resolveModel, type ModelStoreOptions } from "./models.js";

export interface ServeModelOptions extends ModelStoreOptions {
  /** A preset (built on first use), a model folder or a .gguf file. Default "tiny". */
  model?: string;
  /** Default: llama.cpp for a .gguf file, onnxruntime otherwise. */
  engine?: EngineName;
  /** Default "cpu"; "auto": the best available for the engine. */
  device?: ExecutionProvider | "vulkan" | "auto";
  /** Presets are built in this form (default fp32); a folder or file runs as what it holds unless this is given. */
  quantization?: Quantization;
  threads?: number;
  /** onnxruntime only: session config entries. */
  sessionConfig?: Readonly<Record<string, string>>;
  /** llama.cpp only: flash attention auto (default), on or off. */
  flashAttention?: FlashAttention;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0: any free port. */
  port?: number;
  /** Requests generating at once. Default 16. */
  maxConcurrency?: number;
  /** onnxruntime: how long a batch waits for more requests. Default 10. Units: ms. */
  batchWaitMs?: number;
  /** llama.cpp: tokens per sequence. Default the model's context, at most 2048. */
  contextSize?: number;
  /** "none": no meter (energy_j null). Otherwise the meter's options (default: the visible GPUs, RAPL or the CPU estimate). */
  meter?: "none" | MeterOptions;
  /** The name clients send as `model`. Default: the preset's name, or the folder's or file's name. */
  servedModelName?: string;
}

export interface ServedModel extends ServeHandle {
  /** The model folder or file that runs. */
  modelDir: string;
  /** What was chosen for the caller (engine, device), one line each. */
  notes: string[];
  /** Stops the server, then closes the meter and the engine. */
  close(): Promise<void>;
}

/** The name a model is served under when none is given: the preset, or the path's last part without .gguf. */
export function defaultServedName(model: string): string {
  return isPreset(model) ? model : basename(model.replace(/[/\\]+$/, "")).replace(/\.gguf$/i, "");
}

/** Builds or finds the model, opens the engine and the meter, and starts the server; resolves once it listens. */
export async function serveModel(options: ServeModelOptions = {}): Promise<ServedModel> {
  const model = options.model ?? "tiny";
  const chosen = chooseEngine(model, options.engine);
  if (options.contextSize !== undefined && chosen.engine !== "llama.cpp") {
    throw new Error(`contextSize (--context-size) sizes llama.cpp's sequences; ${chosen.engine} serves the model's whole context: leave it out`);
  }
  const dtype = dtypeFor(model, options.quantization);
  const device = await resolveDevice(chosen.engine, options.device ?? "cpu");
  const resolved = await resolveModel(model, dtype.build, chosen.engine, { ...options, device: device.device === "auto" ? undefined : device.device as SweepDevice });
  const { engine, tokenizer } = await openEngine({
    engine: chosen.engine, modelDir: resolved.dir, device: device.device, dtype: dtype.open, threads: options.threads, sessionConfig: options.sessionConfig,
    flashAttention: options.flashAttention,
  });
  let meter: Meter | null = null;
  try {
    meter = options.meter === "none" ? null : await Meter.open({ gpus: "visible", cpu: "auto", ...options.meter });
    const handle = await startServer({
      engine, tokenizer, meter, modelName: options.servedModelName ?? defaultServedName(model),
      host: options.host, port: options.port, maxConcurrency: options.maxConcurrency, batchWaitMs: options.batchWaitMs, contextSize: options.contextSize,
    });
    const notes = [
      ...(chosen.because && chosen.engine === "llama.cpp" ? [`engine llama.cpp: ${chosen.because}`] : []),
      ...(device.because ? [device.because] : []), ...(engine.info.notes ?? []),
    ];
    return {
      ...handle, modelDir: resolved.dir, notes,
      close: async () => {
        try {
          await handle.close();
        } finally {
          await meter?.close();
          await engine.dispose();
        }
      },
    };
  } catch (error) {
    await meter?.close();
    await engine.dispose();
    throw error;
  }
}
