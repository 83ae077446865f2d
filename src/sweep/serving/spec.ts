// A serving sweep: load levels (closed-loop concurrency or open-loop request rates) against one OpenAI-compatible
// endpoint, at each request shape (input × output length) and repetition. Every problem is found before a request
// is sent, one line each with its fix; runs expand in a fixed order and carry a key that names everything measured.
import { DATASETS, type DatasetName } from "../../data/names.js";
import { stableHash } from "../hash.js";

export interface ServingSlo {
  /** Time to first token target. Units: s. */
  ttftS: number;
  /** Time per output token target. Units: s. */
  tpotS: number;
}

export interface ServingSpec {
  name: string;
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (with or without /v1). */
  endpoint: string;
  /** The model name sent in each request (the server's name for it). */
  servedModel: string;
  /** Whose tokenizer builds the exact-length prompts: a wattlab preset, a folder with tokenizer.json, or a hub id. */
  tokenizer: string;
  dataset: DatasetName;
  datasetFallback: boolean;
  /** Units: tokens per prompt. */
  inputLengths: number[];
  /** max_tokens per request. Units: tokens. */
  outputLengths: number[];
  /** Closed-loop levels: requests in flight. Empty when requestRates are given. */
  concurrency: number[];
  /** Open-loop levels: Poisson arrivals per second (seeded). Empty when concurrency is given. */
  requestRates: number[];
  /** Requests per level; null: 4 × concurrency (at least 16) closed, 32 open. */
  numRequests: number | null;
  /** Stops new arrivals after this long, if sooner. Units: s. */
  durationS: number | null;
  repetitions: number;
  seed: number;
  /** /v1/chat/completions with the prompt as text, instead of /v1/completions. */
  chat: boolean;
  /** Ask the server to ignore EOS (ignore_eos, min_tokens) so each request makes max_tokens tokens. */
  ignoreEos: boolean;
  /** Completions: send the prompt as token ids (exact length at a server with the same tokenizer) or as text. */
  promptForm: "ids" | "text";
  /** Per request, send to last byte. Units: s. */
  requestTimeoutS: number;
  slo: ServingSlo;
  /** Environment variable holding the API key (never stored); null: no key. */
  apiKeyEnv: string | null;
  /** Unmetered rounds of `concurrency` short requests before each level (0: none). */
  warmupRounds: number;
}

export const DEFAULT_SERVING_SLO: Readonly<ServingSlo> = Object.freeze({ ttftS: 2, tpotS: 0.1 });

export function servingDefaults(endpoint: string, servedModel: string): ServingSpec {
  return {
    name: "serving", endpoint, servedModel, tokenizer: servedModel, dataset: "synthetic", datasetFallback: true,
    inputLengths: [128], outputLengths: [128], concurrency: [1, 4, 16], requestRates: [], numRequests: null, durationS: null,
    repetitions: 1, seed: 0, chat: false, ignoreEos: true, promptForm: "ids", requestTimeoutS: 120,
    slo: { ...DEFAULT_SERVING_SLO }, apiKeyEnv: null, warmupRounds: 1,
  };
}

/** One measured level. */
export interface ServingRunConfig {
  inputLength: number;
  outputLength: number;
  load: "closed" | "open";
  /** Closed loop: requests in flight; null open. */
  concurrency: number | null;
  /** Open loop: arrivals per second; null closed. */
  requestRatePerS: number | null;
  numRequests: number;
}

export interface PlannedServingRun {
  key: string;
  config: ServingRunConfig;
  repetition: number;
}

export class ServingSpecError extends Error {
  override name = "ServingSpecError";
  constructor(readonly problems: string[]) {
    super(`serving sweep has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const positiveInt = (n: number) => Number.isInteger(n) && n >= 1;

/** Every problem with the spec, one line each with its fix; empty when it can run. */
export function servingProblems(s: ServingSpec): string[] {
  const out: string[] = [];
  let url: URL | null = null;
  try { url = new URL(s.endpoint); } catch { /* reported below */ }
  if (!url || !/^https?:$/.test(url.protocol)) out.push(`endpoint "${s.endpoint}" is not an http(s) URL; give the server's base URL, e.g. --endpoint http://127.0.0.1:8080`);
  else if (url.username || url.password) out.push("endpoint carries credentials; put the key in an environment variable and name it with --api-key-env");
  if (!s.servedModel) out.push("no model name; give the server's name for it with --model NAME");
  if (!DATASETS.includes(s.dataset)) out.push(`dataset "${s.dataset}" is unknown; use one of ${DATASETS.join(", ")}`);
  for (const [name, list] of [["input_length", s.inputLengths], ["output_length", s.outputLengths]] as const) {
    if (list.length === 0 || list.some((n) => !positiveInt(n))) out.push(`${name} ${JSON.stringify(list)} must be whole numbers ≥ 1, e.g. 128`);
  }
  if (s.concurrency.length > 0 && s.requestRates.length > 0) out.push("both concurrency and request_rate given; sweep one of them per run (closed loop or open loop)");
  if (s.concurrency.length === 0 && s.requestRates.length === 0) out.push("no load level; give --concurrency 1,4,16 or --request-rate 0.5,2");
  if (s.concurrency.some((c) => !positiveInt(c))) out.push(`concurrency ${JSON.stringify(s.concurrency)} must be whole numbers ≥ 1`);
  if (s.requestRates.some((r) => !(r > 0) || !Number.isFinite(r))) out.push(`request_rate ${JSON.stringify(s.requestRates)} must be positive requests per second`);
  if (s.numRequests !== null && !positiveInt(s.numRequests)) out.push(`num_requests ${s.numRequests} must be a whole number ≥ 1`);
  const tooFew = s.numRequests !== null ? s.concurrency.filter((c) => s.numRequests! <= c) : [];
  if (tooFew.length > 0) out.push(`num_requests ${s.numRequests} ≤ concurrency ${tooFew.join(", ")}: there is no steady state; use num_requests ≥ 2 × the largest concurrency (${2 * Math.max(...tooFew)})`);
  if (s.durationS !== null && !(s.durationS > 0)) out.push(`duration ${s.durationS} s must be positive`);
  if (!Number.isInteger(s.warmupRounds) || s.warmupRounds < 0) out.push(`warm-up rounds ${s.warmupRounds} must be a whole number ≥ 0 (0: none)`);
  if (!positiveInt(s.repetitions)) out.push(`repetitions ${s.repetitions} must be a whole number ≥ 1`);
  if (!(s.requestTimeoutS > 0)) out.push(`request timeout ${s.requestTimeoutS} s must be positive`);
  if (!(s.slo.ttftS > 0) || !(s.slo.tpotS > 0)) out.push(`SLO targets (TTFT ${s.slo.ttftS} s, TPOT ${s.slo.tpotS} s) must be positive`);
  if (s.chat && s.promptForm === "ids") out.push("chat requests carry text: use --prompt-form text with --chat-template (or leave --prompt-form out)");
  if (s.apiKeyEnv !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.apiKeyEnv)) out.push(`--api-key-env "${s.apiKeyEnv}" is not an environment variable name; name the variable, not the key`);
  return out;
}

export function validateServingSpec(s: ServingSpec): ServingSpec {
  const problems = servingProblems(s);
  if (problems.length > 0) throw new ServingSpecError(problems);
  return s;
}

/** Requests a level sends when the spec does not say. */
export function requestsFor(s: Pick<ServingSpec, "numRequests">, concurrency: number | null): number {
  if (s.numRequests !== null) return s.numRequests;
  return concurrency === null ? 32 : Math.max(16, 4 * concurrency);
}

/** Runs in order: shape (input, output), then load level, then repetition; keys name the endpoint and everything sent. */
export function expandServing(s: ServingSpec): PlannedServingRun[] {
  const runs: PlannedServingRun[] = [];
  const levels: Omit<ServingRunConfig, "inputLength" | "outputLength">[] = s.concurrency.length > 0
    ? s.concurrency.map((c) => ({ load: "closed", concurrency: c, requestRatePerS: null, numRequests: requestsFor(s, c) }))
    : s.requestRates.map((r) => ({ load: "open", concurrency: null, requestRatePerS: r, numRequests: requestsFor(s, null) }));
  for (const inputLength of s.inputLengths) {
    for (const outputLength of s.outputLengths) {
      for (const level of levels) {
        for (let repetition = 0; repetition < s.repetitions; repetition++) {
          const config: ServingRunConfig = { inputLength, outputLength, ...level };
          runs.push({ key: servingKey(s, config, repetition), config, repetition });
        }
      }
    }
  }
  return runs;
}

export function servingKey(s: ServingSpec, c: ServingRunConfig, repetition: number): string {
  return stableHash({
    kind: "serving", endpoint: s.endpoint.replace(/\/+$/, "").replace(/\/v1$/, ""), served_model: s.servedModel, tokenizer: s.tokenizer,
    dataset: s.dataset, ...c, duration_s: s.durationS, repetition, seed: s.seed, chat: s.chat, ignore_eos: s.ignoreEos, prompt_form: s.promptForm,
  });
}
