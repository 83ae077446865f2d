// The lab: real parts wired together for notebooks and the CLI (models, engines, meter, sweeps); analysis is src/analysis.
export { labSweepDeps, sweepMeter } from "./deps.js";
export type { LabOptions } from "./deps.js";
export { resolveModel, defaultModelsDir, graphFormFor, GGUF_FORM } from "./models.js";
export type { ModelStoreOptions, ResolveModelOptions } from "./models.js";
export { describeEnergyWindow, measureGeneration } from "./measure.js";
export type { EnergyWindow, MeasureGenerationOptions, MeasuredGeneration } from "./measure.js";
export { sweep } from "./sweep.js";
export type { LabSweepOptions } from "./sweep.js";
export { serveModel, defaultServedName } from "./serve.js";
export type { ServeModelOptions, ServedModel } from "./serve.js";
export { servingSweep, servingTokenizer, labServingDeps } from "./serving.js";
export type { LabServingOptions } from "./serving.js";
