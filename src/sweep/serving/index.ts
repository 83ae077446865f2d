// Serving sweeps: load levels against an OpenAI-compatible endpoint, energy over each level's steady state.
export { DEFAULT_SERVING_SLO, expandServing, requestsFor, servingDefaults, servingKey, servingProblems, ServingSpecError, validateServingSpec } from "./spec.js";
export type { PlannedServingRun, ServingRunConfig, ServingSlo, ServingSpec } from "./spec.js";
export { completedServingRecord, failedServingRecord, REQUEST_ENERGY_RULE, SERVING_COLUMNS } from "./record.js";
export type { ServingRecord } from "./record.js";
export { runServingSweep } from "./run.js";
export type { ServingDeps, ServingOptions, ServingSummary, ServingTokenizer } from "./run.js";
