// wattlab's one curated entry point: what notebooks and scripts import as "wattlab".
// Values and types are exported separately; nothing outside should deep-import private files.

// The lab: real parts wired together (the notebooks' surface)
export { describeEnergyWindow, measureGeneration, sweep, labSweepDeps, resolveModel, defaultModelsDir } from "./lab/index.js";
export type { EnergyWindow, MeasureGenerationOptions, MeasuredGeneration, LabSweepOptions } from "./lab/index.js";

// Serving: an OpenAI-compatible server over a model (serveModel) or an opened engine (startServer), energy per answer
export { serveModel } from "./lab/index.js";
export type { ServeModelOptions, ServedModel } from "./lab/index.js";
export { startServer } from "./serve/index.js";
// Serving load: closed/open-loop levels against any OpenAI-compatible endpoint, energy over each steady state
export { servingSweep } from "./lab/index.js";
export type { LabServingOptions } from "./lab/index.js";
export type { ServingRecord, ServingSummary, ServingSpec } from "./sweep/serving/index.js";
export type { ServeHandle, ServeMetrics, ServeOptions, ServeUsage } from "./serve/index.js";

// Analysis: rows → tables, findings and charts' data
export {
  loadResults, loadBaselineCsv, summarize, toFrame, figure, isEstimated, datasetNote, change, seriesChart, powerTraceChart,
  seedFindings, inferBase, energyPerOutputToken, servingTable, servingEnergyChart, servingLatencyChart, servingTradeoffChart,
} from "./analysis/index.js";
export type { SummaryRow, Frame, SeriesChartOptions, Finding } from "./analysis/index.js";

// One definition per quantity, and the statistics every comparison uses
export { QUANTITIES, QUANTITY_COLUMNS, rowQuantity, comparableQuantity, quantityLabel, tokensPerS, decodeTokensPerS, jPerOutputToken, jPerInputToken, decodeJPerOutputToken, dynamicEnergyJ } from "./quantities.js";
export type { EnergyScope, QuantityName, QuantityDefinition, RowFigure } from "./quantities.js";
export { aggregate, meanInterval, medianInterval, ratioOfMeans, verdict, withinVerdict, formatInterval, scaleInterval, METHOD_TEXT } from "./util/stats.js";
export type { Aggregate, Interval, RatioEstimate, Verdict, Comparison } from "./util/stats.js";

// Engines (make tokens; know nothing of energy)
export { openEngine } from "./engine/load.js";
export type { OpenEngineOptions, OpenedEngine } from "./engine/load.js";
export type { Engine, EngineInfo, EngineName, ExecutionProvider, GenerateRequest, GenerationHooks, GenerationResult } from "./engine/types.js";
export { loadTokenizer } from "./engine/tokenizer.js";
export type { WattlabTokenizer } from "./engine/tokenizer.js";

// Models (build, quantize, GGUF)
export { buildModel, ensureModel, readManifest } from "./models/build.js";
export type { BuildOptions, BuildManifest, ModelDtype } from "./models/build.js";
export { PRESETS, presetNames, getPreset, parameterCount } from "./models/presets.js";
export type { ModelConfig } from "./models/presets.js";
export { buildGguf } from "./models/gguf/index.js";
export { quantizeModel } from "./models/quantize/quantize-model.js";

// Meter (joules, watts, memory, carbon; knows nothing of models)
export { Meter, carbonFor, describeMeters, meterCommand } from "./meter/index.js";
// Grid carbon: one setting (zone, PUE, live / yearly / fixed, embodied) for rows and notebooks
export { yearlyIntensity, intensityHistory } from "./meter/index.js";
export { GridCarbon, carbonSettingFromEnv, describeSetting, embodiedCarbon } from "./sweep/carbon.js";
export type { CarbonSetting, RunIntensity } from "./sweep/carbon.js";
export type { MeterOptions, WindowMeasurement, FigureSource, PowerSample, CarbonOptions } from "./meter/index.js";
// Named windows from the measured code: under `wattlab meter` (a pipe) or meterFunction (in process)
export { meterFunction, beginWindow, endWindow, markWindow, withWindow, windowsEnabled, pythonWindowHelperPath } from "./meter/index.js";
export type { MeterCommandResult, MeterFunctionOptions, MeterFunctionResult, NamedWindow, MarkValue } from "./meter/index.js";

// Data and sweeps
export { promptsFor, loadAlpaca, loadGsm8k, exactLengthIds } from "./data/index.js";
export {
  runSweep, parseSpec, builtinSpec, BUILTIN_SPECS, expandRuns, readResults, effectiveRows, exportCsv, mergeResults, RECORD_COLUMNS,
} from "./sweep/index.js";
export type { SweepSpec, SweepSpecJson, RunRecord, SweepDeps, SweepSummary } from "./sweep/index.js";

// Notebook display and runner
export { showPlot, showTable, runNotebook } from "./notebook/index.js";
export type { PlotFigure, NotebookRunResult } from "./notebook/index.js";

export { wattlabVersion, gitCommit } from "./version.js";
