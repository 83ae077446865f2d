// One metered generation: the quickstart notebook's and `wattlab generate`'s path. The engine runs bare; one
// generation is traced with meter windows at its prefill/decode hooks (timings, power trace, phases), and its
// energy comes, by default, from the sweep's repeated protocol: a generation of a few ms spans no update of a
// GPU's energy counter (~100 ms), so its own windows would report the counter's steps, not the work.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { resolvePromptPool } from "../data/pool.js";
import { promptsFor } from "../data/prompts.js";
import { llamaCppAutoNote, openEngine, resolveDevice } from "../engine/load.js";
import type { EngineInfo, EngineName, ExecutionProvider, FlashAttention, GenerationResult } from "../engine/types.js";
import { addWindows } from "../meter/arithmetic.js";
import { Meter, type MeterOptions } from "../meter/index.js";
import type { PowerSample, WindowMeasurement } from "../meter/types.js";
import type { DatasetName, Quantization, SweepDevice } from "../sweep/dimensions.js";
import { measureRepeatedRun } from "../sweep/measure-run.js";
import type { WindowProtocol } from "../sweep/repeated-window.js";
import { sweepMeter } from "./deps.js";
import { chooseEngine, dtypeFor, isPreset, resolveModel, type ModelStoreOptions } from "./models.js";
import { decodeJPerOutputToken, jPerOutputToken } from "../quantities.js";

export interface MeasureGenerationOptions extends ModelStoreOptions {
  /** A preset (built on first use) or a model folder / .gguf file. Default "tiny". */
  model?: string;
  /** Default: llama.cpp for a .gguf file, onnxruntime otherwise (engineChosenBecause says which applied). */
  engine?: EngineName;
  /** "auto": the best available for the engine (onnxruntime: cuda → webgpu → cpu; llama.cpp: cuda → vulkan → cpu). Default "cpu". */
  device?: ExecutionProvider | "vulkan" | "auto";
  /** Presets are built in this form (default fp32); a folder or file runs as what it holds unless this is given. */
  quantization?: Quantization;
  /** A literal prompt (repeated `batch` times); else `inputTokens` exact tokens from `dataset`. */
  prompt?: string;
  inputTokens?: number;
  dataset?: DatasetName;
  /** When alpaca/gsm8k files are missing, use their synthetic look-alike (reported in datasetUsed) instead of failing. Default false. */
  datasetFallback?: boolean;
  batch?: number;
  maxNewTokens?: number;
  fixedLength?: boolean;
  /** Unmetered generations first, so compilation and allocation stay out of the figures. Default 1. */
  warmupRuns?: number;
  seed?: number;
  threads?: number;
  /** onnxruntime webgpu: KV cache resident on the GPU (default) or copied through the host each step. */
  kvCache?: "device" | "host";
  /** onnxruntime only: session config entries, key → value. */
  sessionConfig?: Readonly<Record<string, string>>;
  /** llama.cpp only: flash attention auto (default), on or off. */
  flashAttention?: FlashAttention;
  meter?: MeterOptions;
  /** Idle baseline seconds before measuring (0: none). Default 0. */
  idleSeconds?: number;
  /**
   * Where the energy figures come from. "repeated" (default): the request back to back inside one window until the
   * energy counter resolves it (and ≥ 3 generations), then its prefills likewise, each divided by its count.
   * "window": the traced generation's own prefill and decode windows (energyWindow.belowResolution says when the
   * counter could not resolve them).
   */
  measurement?: "repeated" | "window";
  /** The repeated windows' minimums; default 2 s or 20 counter updates, whichever is sooner, and 3 generations. */
  window?: Partial<WindowProtocol>;
}

/** What the energy figures rest on. */
export interface EnergyWindow {
  measurement: "repeated" | "window";
  /** Generations in the generation window, and prefills in the prefill window (1 and 1 for "window"). */
  generations: number;
  prefills: number;
  /** The generation window's length. Units: s. */
  seconds: number;
  /** Updates of the slowest energy counter the generation window spans; null where the meter cannot tell. */
  counterUpdates: number | null;
  /** A window the figures come from spans too few counter updates: they read the counter's steps as much as the work. */
  belowResolution: boolean;
}

export interface MeasuredGeneration {
  info: EngineInfo;
  modelDir: string;
  /** The traced generation: its timings, steps and tokens. */
  result: GenerationResult;
  /** One prefill's energy and power (repeated: the prefill window ÷ its count; window: the traced prefill's). */
  prefill: WindowMeasurement;
  /** One generation's decode (repeated: generation − prefill; window: the traced decode window). */
  decode: WindowMeasurement;
  /** One generation: prefill + decode. */
  generation: WindowMeasurement;
  energyWindow: EnergyWindow;
  /** Power samples over the measured generation, ms from the meter's start. */
  trace: PowerSample[];
  /** Boundaries in the trace's clock, for shading phases. Units: ms. */
  phases: { prefillStartMs: number; decodeStartMs: number; endMs: number };
  /** Decoded text of the first row. */
  text: string;
  /** prefill + decode. Units: J. */
  energyJ: number;
  /** Decode energy over the tokens decode steps made (src/quantities.ts). Units: J/token. */
  decodeJPerToken: number;
  /** The whole generation's energy over its output tokens (src/quantities.ts). Units: J/token. */
  jPerOutputToken: number;
  meterSources: WindowMeasurement["sources"];
  /** Where the prompts came from: the dataset asked for, the one used, and why they differ; null for a literal prompt. */
  dataset: { requested: DatasetName; used: DatasetName; reason: string | null } | null;
  /** The model holds wattlab's seeded random weights (a preset or a wattlab build): its text means nothing, its costs are real. */
  randomWeights: boolean;
  /** Why this engine ran when none was asked for (e.g. the model is a .gguf file); null when the caller named it. */
  engineChosenBecause: string | null;
  /** Which device `auto` became and why; null when the caller named the device. */
  deviceChosenBecause: string | null;
  /** What was chosen for the caller, one line each (the device auto became, which file of a folder ran, …); [] when nothing was. */
  notes: string[];
}

/** "63 generations back to back in 0.201 s (20 counter updates), then 690 prefills in a window of their own". */
export function describeEnergyWindow(w: EnergyWindow): string {
  const updates = w.counterUpdates === null ? "counter updates unknown" : `${w.counterUpdates.toFixed(0)} counter updates`;
  const text = w.measurement === "repeated"
    ? `${w.generations} generations back to back in ${w.seconds.toFixed(3)} s (${updates}), then ${w.prefills} prefills in a window of their own`
    : `the traced generation's own prefill and decode windows, ${w.seconds.toFixed(3)} s (${updates})`;
  return w.belowResolution ? `${text}: BELOW the counter's resolution` : text;
}

/** The line a generation from random weights carries. */
export const RANDOM_WEIGHTS_NOTE = "the weights are random (seeded, at the model's true shapes): the text is noise; energy and speed depend on the shapes, not the values";

/** A wattlab build (its manifest says so) holds seeded random weights. */
function hasRandomWeights(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, "wattlab-manifest.json"));
  } catch {
    return false;
  }
}

export async function measureGeneration(options: MeasureGenerationOptions = {}): Promise<MeasuredGeneration> {
  const model = options.model ?? "tiny";
  const chosen = chooseEngine(model, options.engine);
  const engineName = chosen.engine;
  const dtype = dtypeFor(model, options.quantization);
  // auto is resolved before the model: a preset's graph form depends on where it runs
  const device = await resolveDevice(engineName, options.device ?? "cpu");
  const resolved = await resolveModel(model, dtype.build, engineName, { ...options, device: device.device === "auto" ? undefined : device.device as SweepDevice });
  const { engine, tokenizer } = await openEngine({
    engine: engineName, modelDir: resolved.dir, device: device.device, dtype: dtype.open, threads: options.threads, kvCache: options.kvCache,
    sessionConfig: options.sessionConfig, flashAttention: options.flashAttention,
  });
  const meter = await Meter.open({ gpus: "visible", cpu: "auto", ...options.meter });
  try {
    const batch = options.batch ?? 1;
    const pool = options.prompt !== undefined ? null : await resolvePromptPool(options.dataset ?? "synthetic", { fallback: options.datasetFallback === true });
    if (pool?.error) throw pool.error;
    const promptIds = pool === null
      ? Array.from({ length: batch }, () => tokenizer.encode(options.prompt!, { addSpecialTokens: true }))
      : await promptsFor(pool.used, tokenizer, { inputLength: options.inputTokens ?? 32, batch, seed: options.seed ?? 0, texts: pool.texts ?? undefined });
    const request = { promptIds, maxNewTokens: options.maxNewTokens ?? 16, fixedLength: options.fixedLength ?? true };
    for (let i = 0; i < (options.warmupRuns ?? 1); i++) await engine.generate(request);
    if ((options.idleSeconds ?? 0) > 0) await meter.measureIdle(options.idleSeconds!);
    const traced: { prefill?: WindowMeasurement; decode?: WindowMeasurement } = {};
    const result = await engine.generate(request, {
      beforePrefill: () => meter.begin("prefill"),
      afterPrefill: async () => { traced.prefill = await meter.end("prefill"); await meter.begin("decode"); },
      afterDecode: async () => { traced.decode = await meter.end("decode"); },
    });
    const { prefill: tracedPrefill, decode: tracedDecode } = traced;
    if (!tracedPrefill || !tracedDecode) throw new Error("the engine did not call its prefill/decode hooks; its measurements would be empty");
    // Window bounds on the trace's clock (ms since the meter opened), for shading the phases.
    const prefillStartMs = tracedPrefill.startMs ?? 0, decodeStartMs = tracedDecode.startMs ?? tracedPrefill.endMs ?? 0, endMs = tracedDecode.endMs ?? decodeStartMs;
    const measurement = options.measurement ?? "repeated";
    const repeated = measurement === "repeated" ? await measureRepeatedRun(engine, sweepMeter(meter), request, options.window, "generate") : null;
    const prefill = repeated?.prefill ?? tracedPrefill, decode = repeated?.decode ?? tracedDecode;
    const generation = repeated?.generation ?? addWindows(tracedPrefill, tracedDecode, "generation");
    const energyWindow: EnergyWindow = {
      measurement, generations: repeated?.generationWindow.count ?? 1, prefills: repeated?.repeatedPrefill?.count ?? 1,
      seconds: repeated?.generationWindow.seconds ?? generation.seconds, counterUpdates: generation.counterUpdates ?? null,
      // each window the figures come from: the traced prefill and decode, or the repeated generations and prefills
      belowResolution: repeated
        ? (generation.belowResolution ?? false) || (repeated.repeatedPrefill?.window.belowResolution ?? false)
        : (tracedPrefill.belowResolution ?? false) || (tracedDecode.belowResolution ?? false),
    };
    const energyJ = generation.totalEnergyJ;
    const random = isPreset(model) || hasRandomWeights(resolved.dir);
    return {
      info: engine.info, modelDir: resolved.dir, result, prefill, decode, generation, energyWindow,
      trace: meter.trace(Math.max(0, prefillStartMs - 500), endMs + 500),
      phases: { prefillStartMs, decodeStartMs, endMs },
      text: tokenizer.decode(result.outputIds[0] ?? []),
      energyJ,
      decodeJPerToken: decodeJPerOutputToken(decode.totalEnergyJ, result.outputTokens, result.outputIds.length) ?? 0,
      jPerOutputToken: jPerOutputToken(energyJ, result.outputTokens) ?? 0,
      meterSources: decode.sources,
      dataset: pool && { requested: pool.requested, used: pool.used, reason: pool.fallbackReason },
      randomWeights: random,
      engineChosenBecause: chosen.because,
      deviceChosenBecause: device.because ?? (device.device === "auto" ? llamaCppAutoNote(engine.info.device) : null),
      notes: [
        ...(chosen.because && engineName === "llama.cpp" ? [`engine llama.cpp: ${chosen.because}`] : []),
        ...(device.because ? [device.because] : []), ...(engine.info.notes ?? []),
        ...(random ? [RANDOM_WEIGHTS_NOTE] : []),
      ],
    };
  } finally {
    await meter.close();
    await engine.dispose();
  }
}
