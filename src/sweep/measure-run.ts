// Measuring one planned run under the sweep's protocol (src/sweep/protocol.ts):
//   repeated — a window of back-to-back generations of the request, then a window of back-to-back prefills of the
//              same prompts; one generation's energy = generation window ÷ count, one prefill's = prefill window ÷
//              count, decode = generation − prefill. Latency percentiles come from every generation's own steps.
//   window   — one generation with a prefill window and a decode window opened at the engine's hooks.
import type { Engine, GenerateRequest, GenerationResult } from "../engine/types.js";
import { addWindows, subtractWindows } from "../meter/arithmetic.js";
import type { WindowMeasurement } from "../meter/types.js";
import { asRepeatedPrefill, type RepeatedPrefill } from "./prefill-energy.js";
import type { MeasurementProtocol } from "./protocol.js";
import { measureRepeated, meterUpdateS, type WindowProtocol } from "./repeated-window.js";
import { ContextLengthError, type SweepMeter } from "./run.js";
import type { PlannedRun } from "./spec.js";

export interface MeasuredRun {
  /** The first generation's result. */
  result: GenerationResult;
  /** Every generation the generation window held. */
  results: GenerationResult[];
  /** One generation's share (prefill + decode). */
  generation: WindowMeasurement;
  /** One prefill's share. */
  prefill: WindowMeasurement;
  /** One generation's decode share. */
  decode: WindowMeasurement;
  measurement: "repeated" | "window";
  generationWindow: { count: number; seconds: number };
  /** The prefill loop's own result (repeated mode), for the prefill_*_repeated columns. */
  repeatedPrefill: RepeatedPrefill | null;
}

/** Measures `run` as the protocol says; `windowId` names each window uniquely within the sweep. */
export async function measurePlannedRun(
  protocol: MeasurementProtocol, run: PlannedRun, engine: Engine, meter: SweepMeter, promptIds: number[][], fixedLength: boolean,
  windowId: () => string,
): Promise<MeasuredRun> {
  const { inputLength, outputLength } = run.config;
  const context = engine.info.contextLength;
  if (context > 0 && inputLength + outputLength > context) {
    throw new ContextLengthError(`input_length ${inputLength} + output_length ${outputLength} exceed the model's context length of ${context}; lower either`);
  }
  if (protocol.measurement === "window") return measureHookWindows(engine, meter, promptIds, outputLength, fixedLength, windowId());
  return measureRepeatedRun(engine, meter, { promptIds, maxNewTokens: outputLength, fixedLength }, protocol.window, windowId());
}

/** The repeated protocol for one request: its generations back to back in one window, then its prefills in another. */
export async function measureRepeatedRun(
  engine: Engine, meter: SweepMeter, request: GenerateRequest, window: Partial<WindowProtocol> | undefined, id: string,
): Promise<MeasuredRun> {
  const updateS = await meterUpdateS(meter);
  const gen = await measureRepeated(engine, meter, request, `${id}:generation-repeated`, { protocol: window, updateS });
  const pre = await measureRepeated(engine, meter, { promptIds: request.promptIds, maxNewTokens: 1, fixedLength: true }, `${id}:prefill-repeated`,
    { protocol: window, updateS });
  return {
    result: gen.results[0],
    results: gen.results,
    generation: gen.per,
    prefill: pre.per,
    decode: subtractWindows(gen.per, pre.per, "decode"),
    measurement: "repeated",
    generationWindow: { count: gen.count, seconds: gen.window.seconds },
    repeatedPrefill: asRepeatedPrefill(pre),
  };
}

/** One generate call with a prefill window and a decode window opened at the engine's hooks. */
async function measureHookWindows(engine: Engine, meter: SweepMeter, promptIds: number[][], outputLength: number, fixedLength: boolean, id: string): Promise<MeasuredRun> {
  const prefillName = `${id}:prefill`;
  const decodeName = `${id}:decode`;
  const open = new Set<string>();
  let prefill: WindowMeasurement | null = null;
  let decode: WindowMeasurement | null = null;
  const begin = async (name: string) => { await meter.begin(name); open.add(name); };
  const end = async (name: string) => { open.delete(name); return meter.end(name); };
  try {
    const result = await engine.generate({ promptIds, maxNewTokens: outputLength, fixedLength }, {
      beforePrefill: () => begin(prefillName),
      afterPrefill: async () => { prefill = await end(prefillName); await begin(decodeName); },
      afterDecode: async () => { decode = await end(decodeName); },
    });
    if (!prefill || !decode) {
      throw new Error(`engine ${engine.info.engine} did not call the ${!prefill ? "beforePrefill/afterPrefill" : "afterDecode"} hook; no energy could be attributed`);
    }
    const p = prefill as WindowMeasurement, d = decode as WindowMeasurement;
    const generation = addWindows(p, d, "generation");
    return {
      result, results: [result], generation, prefill: p, decode: d, measurement: "window",
      generationWindow: { count: 1, seconds: generation.seconds }, repeatedPrefill: null,
    };
  } finally {
    for (const name of open) {
      try { await (meter.cancel ? meter.cancel(name) : meter.end(name)); } catch { /* the run's own error is what matters */ }
    }
  }
}
