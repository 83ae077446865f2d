// Bad options are refused before anything is sent, each with one line naming the option and the fix.
import type { LoadOptions } from "./types.js";

function positiveInteger(value: unknown, name: string): void {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`load: ${name} must be a whole number ≥ 1, got ${String(value)}`);
  }
}

function positive(value: unknown, name: string): void {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new RangeError(`load: ${name} must be a number > 0, got ${String(value)}`);
  }
}

/** Throws a RangeError (or TypeError) naming the first option that is wrong and what it should be. */
export function validateLoadOptions(options: LoadOptions): void {
  let protocol = "";
  try {
    protocol = new URL(options.endpoint).protocol;
  } catch { /* reported below */ }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new TypeError(`load: endpoint must be an http:// or https:// URL such as http://127.0.0.1:8000 or http://host:8000/v1, got ${JSON.stringify(options.endpoint)}`);
  }
  if (typeof options.model !== "string" || options.model === "") throw new TypeError("load: model must name the server's model (see its /v1/models)");
  if (typeof options.prompts !== "function") throw new TypeError("load: prompts must be a function (index) => { prompt, promptTokens }");
  const arrival = options.arrival;
  if (arrival?.kind === "closed") positiveInteger(arrival.concurrency, "concurrency");
  else if (arrival?.kind === "open") {
    positive(arrival.requestRatePerS, "request_rate (requests/s)");
    if (!Number.isInteger(arrival.seed)) throw new RangeError(`load: the open loop's seed must be a whole number, got ${String(arrival.seed)}`);
  } else throw new TypeError(`load: arrival.kind must be "closed" or "open", got ${JSON.stringify((arrival as { kind?: unknown })?.kind)}`);
  positiveInteger(options.numRequests, "num_requests");
  if (options.durationS !== undefined) positive(options.durationS, "duration (s)");
  positiveInteger(options.maxTokens, "max_tokens");
  positive(options.requestTimeoutS, "request timeout (s)");
  positive(options.slo?.ttftS, "slo.ttftS (s)");
  positive(options.slo?.tpotS, "slo.tpotS (s)");
}
