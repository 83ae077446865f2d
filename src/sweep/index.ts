// Sweeps and the results store: the curated entry point of src/sweep.
export { BUILTIN_SPECS, builtinSpec, SEED_STUDY, TINY_BATCH, TINY_SEED_STUDY } from "./builtin-specs.js";
export { waitForIdle } from "./cooldown.js";
export type { CooldownContext } from "./cooldown.js";
export { parseCsv, toCsv } from "./csv.js";
export {
  ALLOWED, DATASETS, DEVICES, DIMENSIONS, ENGINES, NAMED_LENGTHS, QUANTIZATIONS, describeConfig,
} from "./dimensions.js";
export type { DatasetName, Dimension, DimensionValues, Quantization, RunConfig } from "./dimensions.js";
export { gpuEnv, mergeResults, runSweepOnGpus } from "./gpus.js";
export type { GpuSweepOptions, GpuSweepResult, WorkerExit } from "./gpus.js";
export {
  DEFAULT_PREFILL_ENERGY, DEFAULT_PREFILL_MIN_COUNT, DEFAULT_PREFILL_MIN_S, divideWindow, measureRepeatedPrefill, PREFILL_ENERGY_MODES,
} from "./prefill-energy.js";
export type { PrefillEnergyMode, RepeatedPrefill, RepeatedPrefillOptions } from "./prefill-energy.js";
export {
  DEFAULT_MIN_GENERATIONS, DEFAULT_MIN_WINDOW_S, DEFAULT_MIN_WINDOW_UPDATES, DEFAULT_WINDOW_PROTOCOL, measureRepeated, minimumWindowS,
} from "./repeated-window.js";
export type { RepeatedWindow, RepeatedOptions, WindowProtocol } from "./repeated-window.js";
export { describeProtocol, measurementProtocol, MEASUREMENT_PROTOCOL_VERSION, protocolHash, reusableRow } from "./protocol.js";
export type { MeasurementProtocol } from "./protocol.js";
export { consoleProgress } from "./progress.js";
export type { ProgressEvent } from "./progress.js";
export { pairedFigure, PAIRED_FIGURES, RECORD_COLUMNS } from "./record.js";
export { completedRecord, failedRecord } from "./record-build.js";
export { fixedIntensityCarbon, windowCarbon, WORLD_INTENSITY_G_PER_KWH } from "./record-carbon.js";
export type { CarbonFigure, Cell, PairedFigure, RecordColumn, RunMetadata, RunRecord, RunState } from "./record.js";
export { ContextLengthError, resultsPathFor, runSweep } from "./run.js";
export type { OpenedEngine, OpenEngineOptions, ResolvedModel, RunSweepOptions, SweepDeps, SweepMeter, SweepSummary } from "./run.js";
export { formatShard, parseShard, selectShard, ShardError } from "./shard.js";
export type { Shard } from "./shard.js";
export {
  defaultContextLength, engineGroup, expandConfigs, expandRuns, loadSpecFile, parseSpec, runKey, specProblems, specToJson,
  SweepSpecError, validateSpec,
} from "./spec.js";
export type { ContextLengthLookup, CooldownSpec, PlannedRun, SpecProblem, SweepMode, SweepSpec, SweepSpecJson } from "./spec.js";
export { effectiveRows, exportCsv, mergeShards, readResults, ResultStore } from "./store.js";
export type { MergeSummary, ResultsFile, StoreWarning } from "./store.js";
export { noopTracker } from "./tracker.js";
export type { Tracker } from "./tracker.js";
export { wandbTrackerFromEnv, wandbRowData } from "./wandb-tracker.js";
