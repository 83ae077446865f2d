// The lab: real parts wired together for notebooks and the CLI (models, engines, meter, sweeps, analysis).
export { labSweepDeps, sweepMeter } from "./deps.js";
export type { LabOptions } from "./deps.js";
export { resolveModel, defaultModelsDir, graphFormFor, GGUF_FORM } from "./models.js";
export type { ModelStoreOptions, ResolveModelOptions } from "./models.js";
export { measureGeneration } from "./measure.js";
export type { MeasureGenerationOptions, MeasuredGeneration } from "./measure.js";
export { loadResults, summarize, toFrame, figure, isEstimated, datasetNote, change } from "./results.js";
export { loadBaselineCsv } from "./baseline.js";
export type { Frame, SummaryRow } from "./results.js";
export { seriesChart, powerTraceChart } from "./charts.js";
export type { SeriesChartOptions } from "./charts.js";
export { seedFindings, inferBase, energyPerOutputToken } from "./findings.js";
export type { Finding } from "./findings.js";
export { sweep } from "./sweep.js";
export type { LabSweepOptions } from "./sweep.js";
