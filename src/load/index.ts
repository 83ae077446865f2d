// The load client: streams requests to any OpenAI-compatible server (closed or open loop), times every token, finds
// the steady-state window for the meter, and sums a run up (latency percentiles, J/token, per-request energy, goodput).
export type { Arrival, LoadOptions, LoadPrompt, LoadRun, LoadSummary, RequestRecord, Slo } from "./types.js";
export { DEFAULT_SLO } from "./types.js";
export { runLoad } from "./run.js";
export { summarizeLoad, tokensInWindow, meetsSlo } from "./summary.js";
export { poissonArrivals, poissonArrivalsS } from "./arrivals.js";
export { requestUrl, requestBody } from "./request.js";
export { failureKind } from "./errors.js";
export { SseParser } from "./sse.js";
export { fetchModelCard } from "./model-card.js";
