// The load client's contract: what a run against an OpenAI-compatible server takes, and what it gives back.
// Times are seconds since the run began (one clock for every record), energies joules, rates per second.

/** One prompt as the sweep built it: text, or token ids (completions only). */
export interface LoadPrompt {
  prompt: string | number[];
  /** Tokens the sweep built it with; the prompt count when the server sends no usage. */
  promptTokens: number;
}

/** How requests arrive. `closed`: `concurrency` requests in flight, a new one starts when one ends.
 * `open`: Poisson arrivals at `requestRatePerS` (exponential gaps from a seeded generator: the same seed, the same gaps). */
export type Arrival =
  | { kind: "closed"; concurrency: number }
  | { kind: "open"; requestRatePerS: number; seed: number };

/** Time to first token and time per output token targets for goodput. */
export interface Slo {
  /** Units: s. */
  ttftS: number;
  /** Units: s. */
  tpotS: number;
}

/** MLPerf Inference's conversational (Llama 2 70B interactive-class) targets: 2 s to the first token, 100 ms a token. */
export const DEFAULT_SLO: Readonly<Slo> = Object.freeze({ ttftS: 2, tpotS: 0.1 });

export interface LoadOptions {
  /** Base URL: http://host:port or http://host:port/v1 — both work. */
  endpoint: string;
  model: string;
  /** Sent as `Authorization: Bearer …`; never logged, never in errors or returned records. */
  apiKey?: string;
  /** /v1/chat/completions (messages: [{role: "user", content}]) instead of /v1/completions. */
  chat: boolean;
  arrival: Arrival;
  /** Total requests; with durationS, whichever comes first stops new arrivals. */
  numRequests: number;
  /** Units: s. */
  durationS?: number;
  /** Sent as max_tokens. */
  maxTokens: number;
  /** Sends ignore_eos: true and min_tokens: maxTokens (vLLM's and llama.cpp's names); servers that don't know them ignore them. */
  ignoreEos: boolean;
  /** Per request, from send to last byte. Units: s. */
  requestTimeoutS: number;
  /** The prompt of request `index` (0-based). */
  prompts(index: number): LoadPrompt;
  /** Goodput targets (DEFAULT_SLO unless the caller says otherwise). */
  slo: Slo;
  /** Awaited at the steady state's start (the load keeps flowing meanwhile). */
  onSteadyStart?(): Promise<void> | void;
  /** Awaited at the steady state's end, after onSteadyStart has settled; runLoad returns only once it has. */
  onSteadyEnd?(): Promise<void> | void;
  /** Aborting stops new arrivals and cancels requests in flight (each recorded as failed, "aborted"); runLoad still returns. */
  signal?: AbortSignal;
  /** Tests only. */
  fetchImpl?: typeof fetch;
}

export interface RequestRecord {
  /** 0-based, in sending order. */
  index: number;
  /** When the request was sent. Units: s since the run began. */
  sentS: number;
  /** When its first token arrived; null without one. Units: s since the run began. */
  firstTokenS: number | null;
  /** Its last byte (or its failure). Units: s since the run began. */
  endS: number;
  /** firstTokenS − sentS. Units: s. */
  ttftS: number | null;
  /** Gaps between consecutive token arrivals. Units: s. */
  itlS: number[];
  /** (e2e − TTFT) / (outputTokens − 1); null under two tokens. Units: s. */
  tpotS: number | null;
  /** endS − sentS. Units: s. */
  e2eS: number;
  /** usage.prompt_tokens when the server sent it, else LoadPrompt.promptTokens; null when the prompt could not be built. */
  promptTokens: number | null;
  /** usage.completion_tokens when the server sent it, else the chunks that carried text. */
  outputTokens: number;
  /** Arrival time of each chunk that carried text (s since the run began); counts tokens inside the steady window. */
  tokenTimesS: number[];
  tokenCountSource: "usage" | "stream";
  ok: boolean;
  /** One line: "HTTP 500: …", "stream cut after 7 tokens", "timed out after 30 s",
   * "server returned 40 tokens for max_tokens 16", "connection refused: …"; null when ok. */
  error: string | null;
}

export interface LoadRun {
  /** Every request sent, by index. */
  records: RequestRecord[];
  /** The steady-state window (s since the run began), or null — steadyReason says why. */
  steady: { startS: number; endS: number } | null;
  /** From the run's start until the last request ended. Units: s. */
  wallS: number;
  /** How the window was found, or why there is none and how to get one. */
  steadyReason: string;
}

export interface LoadSummary {
  requests: number;
  completed: number;
  failed: number;
  /** Failure kind ("HTTP 500", "stream cut", "timed out", "too many tokens", "connection refused", …) → count. */
  failureReasons: Record<string, number>;
  /** Latency percentiles over completed requests (numpy's linear method); null without any. Units: s. */
  ttftP50S: number | null;
  ttftP90S: number | null;
  ttftP99S: number | null;
  /** Over every inter-token gap of every completed request. */
  itlP50S: number | null;
  itlP99S: number | null;
  tpotP50S: number | null;
  tpotP99S: number | null;
  e2eP50S: number | null;
  e2eP99S: number | null;
  /** The steady-state window; null without one (steadyReason says why). Units: s. */
  steadyStartS: number | null;
  steadyEndS: number | null;
  steadySeconds: number | null;
  steadyReason: string;
  /** Output tokens generated inside the window, every request counted (a failed one's tokens were still made). */
  steadyOutputTokens: number | null;
  /** steadyOutputTokens / steadySeconds. Units: tokens/s. */
  outputTokensPerS: number | null;
  /** Completed requests over the whole run's wall time. Units: requests/s. */
  requestsPerS: number;
  /** Whole run. Units: s. */
  wallS: number;
  /** The window's energy as given; null without one. Units: J. */
  energyJ: number | null;
  /** energyJ / steadyOutputTokens; null without energy, window or tokens. Units: J/token. */
  jPerOutputToken: number | null;
  /** energyJ / (energy.seconds, else steadySeconds). Units: W. */
  avgPowerW: number | null;
  /** Per record (same order as run.records): energyJ × tokensInWindow_i / Σ tokensInWindow; 0 for a request with no
   * token in the window; they add up to energyJ. Null without energy, window or tokens in it. Units: J. */
  requestEnergyJ: number[] | null;
  /** Completed requests meeting both targets (TTFT ≤ slo.ttftS and TPOT ≤ slo.tpotS; one-token requests on TTFT only). */
  goodRequests: number;
  /** goodRequests / requests (failed ones count against it); null without requests. */
  goodputShare: number | null;
  /** goodRequests / wallS. Units: requests/s. */
  goodputRequestsPerS: number;
  slo: Slo;
}
