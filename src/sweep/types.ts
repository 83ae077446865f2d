// The sweep runner's shapes: what it calls out to (SweepDeps, SweepMeter), what it is told (RunSweepOptions) and what
// it answers (SweepSummary). Apart from run.ts so the runner's steps (src/sweep/session.ts) share them without a loop.
import type { DatasetOptions } from "../data/datasets.js";
import type { PromptTokenizer } from "../data/prompts.js";
import type { Engine, EngineName, FlashAttention } from "../engine/types.js";
import type { MeterDescription } from "../meter/description.js";
import type { ChannelResolution } from "../meter/resolution.js";
import type { WindowMeasurement, WindowOptions } from "../meter/types.js";
import type { CarbonSetting } from "./carbon.js";
import type { CooldownContext } from "./cooldown.js";
import type { Quantization, SweepDevice } from "./dimensions.js";
import type { ProgressEvent } from "./progress.js";
import type { CarbonFigure, RunMetadata } from "./record.js";
import type { Shard } from "./shard.js";
import type { ContextLengthLookup } from "./spec.js";
import type { WarningSink } from "./store.js";
import type { Tracker } from "./tracker.js";

/** What the runner needs of a meter (src/meter's Meter, adapted where its shapes differ). */
export interface SweepMeter {
  /** `options.alignToCounter`: start (and end) at an update of the energy counter, where the meter can. */
  begin(name: string, options?: WindowOptions): void | Promise<void>;
  end(name: string, options?: WindowOptions): WindowMeasurement | Promise<WindowMeasurement>;
  /** The energy counters' update periods as probed at open; `updateS`: the slowest one's (null: unknown). */
  resolution?(): { updateS: number | null; stepJ: number | null; channels: ChannelResolution[] } | null | Promise<{ updateS: number | null; stepJ: number | null; channels: ChannelResolution[] } | null>;
  /** Drops an open window (after a run threw); `end` is called and ignored when absent. */
  cancel?(name: string): void | Promise<void>;
  /** Measures idle power for `seconds` and subtracts it from later windows' dynamicEnergyJ. */
  measureIdle?(seconds: number): Promise<{ powerW: number } | number | void>;
  describe?(): MeterDescription | Promise<MeterDescription>;
  close?(): void | Promise<void>;
}

export interface ResolvedModel {
  dir: string;
  /** Hash of the model's manifest (how it was built), for the row's metadata. */
  manifestHash?: string | null;
  /** ONNX graph form ("portable", "fused") from the model's wattlab-manifest.json; null where none applies. */
  graphForm?: string | null;
}

export interface OpenEngineOptions {
  engine: EngineName;
  modelDir: string;
  device: SweepDevice;
  dtype: Quantization;
  /** llama.cpp only (see SweepSpec.flashAttention). */
  flashAttention?: FlashAttention;
  /** CPU threads (see SweepSpec.threads); absent: the engine's own default. */
  threads?: number;
}

export interface OpenedEngine {
  engine: Engine;
  tokenizer: PromptTokenizer;
}

/** Everything the runner calls out to; the CLI wires the real parts, tests wire stand-ins. */
export interface SweepDeps {
  /**
   * A model folder for a preset name or a path (building or downloading it if needed). `device` lets the
   * store pick a form that suits it (e.g. the fused ONNX graph on GPUs).
   */
  resolveModel(model: string, quantization: Quantization, engine: EngineName, device?: SweepDevice): Promise<string | ResolvedModel>;
  openEngine(options: OpenEngineOptions): Promise<OpenedEngine>;
  openMeter(): Promise<SweepMeter>;
  /** For validation before anything runs; default: presets and model folders' config.json. */
  contextLength?: ContextLengthLookup;
  /** Where alpaca/gsm8k live. */
  datasets?: DatasetOptions;
  /** Carbon of a run's energy when the meter's windows carry none; default: fixed world-average intensity. */
  carbon?(energyJ: number): CarbonFigure;
  tracker?: Tracker;
  /** Between runs when the spec asks for cooldown; default waitForIdle. Returns seconds waited. */
  cooldown?(meter: SweepMeter, ctx: CooldownContext): Promise<number>;
  sleep?(ms: number): Promise<void>;
  /**
   * The manifest hash of the build resolveModel would use, without building (undefined: not built yet, or no
   * manifest applies): a completed row is reused only when measured on the same build.
   */
  manifestHash?(model: string, quantization: Quantization, engine: EngineName, device?: SweepDevice): string | null | undefined | Promise<string | null | undefined>;
  /** Overrides for the machine metadata (e.g. from the meter); the rest is read from os and .git. */
  metadata?(): Partial<RunMetadata> | Promise<Partial<RunMetadata>>;
}

export interface RunSweepOptions {
  outDir: string;
  shard?: Shard;
  /** Redo runs already completed (their new rows supersede the old ones). */
  force?: boolean;
  /** Treat failed runs as done; by default a rerun retries them. */
  skipFailed?: boolean;
  onProgress?(event: ProgressEvent): void;
  /** Print progress to stderr (bar on a TTY, lines otherwise); default true. */
  progress?: boolean;
  /** Idle baseline length before the first run when the meter supports it; 0 skips. Units: s. Default 5. */
  idleSeconds?: number;
  /** Stops between runs; the rows written so far stay and a rerun continues. */
  signal?: AbortSignal;
  warn?: WarningSink;
  /** Carbon setting from flags or a caller (zone, PUE, fixed intensity, embodied); wins over the environment and the spec. */
  carbon?: CarbonSetting;
  /** Where WATTLAB_GRID_ZONE, WATTLAB_PUE, … and ELECTRICITYMAPS_API_TOKEN are read; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface SweepSummary {
  /** Runs in this shard's plan. */
  planned: number;
  skipped: number;
  completed: number;
  failed: number;
  aborted: boolean;
  resultsPath: string;
  csvPath: string;
  /** The keys of this sweep's runs (after dataset fallback), so a caller can read back exactly its rows from a shared store. */
  keys: string[];
  /** The carbon setting the rows were charged under, and this invocation's completed rows' mean gCO2eq per generation. */
  carbon?: { setting: string; source: string | null; rows: number; gco2eqPerGeneration: number | null; embodiedGco2eqPerGeneration: number | null };
}
