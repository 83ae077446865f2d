// wattlab serve: an OpenAI-compatible HTTP server over one opened engine, with each answer's energy in its usage.
export { startServer } from "./server.js";
export type { ServeHandle, ServeMetrics, ServeOptions } from "./server.js";
export type { ServeUsage } from "./completion.js";
export { EnergyLedger } from "./energy.js";
export type { EnergySource, EnergyTotals, RequestEnergy, SegmentMeter } from "./energy.js";
export { RequestBatcher } from "./request-batcher.js";
export type { RequestBatcherOptions } from "./request-batcher.js";
