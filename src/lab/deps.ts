// The real parts behind a sweep: models from the model store, engines from src/engine, the meter from
// src/meter. The sweep runner itself only sees the SweepDeps interface.
import { openEngine } from "../engine/load.js";
import { Meter, type MeterOptions } from "../meter/index.js";
import type { SweepDeps, SweepMeter } from "../sweep/run.js";
import { wandbTrackerFromEnv } from "../sweep/wandb-tracker.js"; // W&B tracker (issue 6)
import { builtManifestHash, resolveModel, type ModelStoreOptions } from "./models.js";

export interface LabOptions extends ModelStoreOptions {
  meter?: MeterOptions;
  /** CPU threads for either engine (onnxruntime intra-op, llama.cpp's contexts); default: each engine's own. */
  threads?: number;
}

/** Adapts the Meter (IdleBaseline with per-device watts) to the runner's narrower SweepMeter. */
export function sweepMeter(meter: Meter): SweepMeter {
  return {
    begin: (name, options) => meter.begin(name, options),
    end: (name, options) => meter.end(name, options),
    resolution: () => meter.resolution(),
    cancel: (name) => meter.cancel(name),
    measureIdle: async (seconds) => ({ powerW: (await meter.measureIdle(seconds)).totalPowerW }),
    describe: () => meter.describe(),
    close: () => meter.close(),
  };
}

export function labSweepDeps(options: LabOptions = {}): SweepDeps {
  return {
    resolveModel: (model, quantization, engine, device) => resolveModel(model, quantization, engine, { ...options, device }),
    manifestHash: (model, quantization, engine, device) => builtManifestHash(model, quantization, engine, { ...options, device }),
    openEngine: (o) => openEngine({ engine: o.engine, modelDir: o.modelDir, device: o.device, dtype: o.dtype, threads: o.threads ?? options.threads, flashAttention: o.flashAttention }),
    openMeter: async () => sweepMeter(await Meter.open({ gpus: "visible", cpu: "auto", ...options.meter })),
    // >>> W&B tracker (issue 6): null unless WANDB_API_KEY is set; @wandb/sdk loads only when a sweep starts
    tracker: wandbTrackerFromEnv() ?? undefined,
    // <<< W&B tracker
  };
}
