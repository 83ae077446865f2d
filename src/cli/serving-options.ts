// `wattlab sweep --engine openai`: the load flags, and the serving spec the sweep's flags describe. The shared flags
// keep their meaning: --model is the server's name for the model, --input-length/--output-length the request shape
// (output length = max_tokens), --fixed-length asks the server to ignore EOS, --chat-template sends chat requests.
import { get, UsageError, type OptionSpec, type ParsedArgs } from "./args.js";
import { NAMED_LENGTHS } from "../sweep/dimensions.js";
import type { DatasetName } from "../data/names.js";
import { servingDefaults, type ServingSpec } from "../sweep/serving/index.js";

export const SERVING_OPTIONS: OptionSpec[] = [
  { name: "endpoint", kind: "string", help: "--engine openai: the server's base URL, e.g. http://127.0.0.1:8080 (any OpenAI-compatible server: vLLM, TGI, SGLang, llama.cpp, Ollama, wattlab serve)" },
  { name: "concurrency", kind: "list", help: "--engine openai: closed-loop levels, requests in flight, e.g. 1,4,16,64 (default 1,4,16)" },
  { name: "request-rate", kind: "list", help: "--engine openai: open-loop levels instead, Poisson arrivals per second (seeded), e.g. 0.5,2,8" },
  { name: "num-requests", kind: "number", help: "--engine openai: requests per level (default 4 × concurrency, at least 16; 32 open loop)" },
  { name: "duration", kind: "number", help: "--engine openai: stop new arrivals after this long if sooner. Units: s" },
  { name: "tokenizer", kind: "string", help: "--engine openai: whose tokenizer builds the exact-length prompts: a preset, a folder with tokenizer.json or a hub id (default: --model)" },
  { name: "prompt-form", kind: "string", choices: ["ids", "text"], help: "--engine openai: completions prompts as token ids (exact length; default) or text" },
  { name: "slo-ttft", kind: "number", help: "--engine openai: goodput's time-to-first-token target (default 2). Units: s" },
  { name: "slo-tpot", kind: "number", help: "--engine openai: goodput's time-per-output-token target (default 0.1). Units: s" },
  { name: "request-timeout", kind: "number", help: "--engine openai: a request still running after this long fails (default 120). Units: s" },
  { name: "api-key-env", kind: "string", help: "--engine openai: the environment variable holding the API key (sent as Bearer; never stored or printed)" },
];

/** True when the flags ask for a serving sweep. */
export function isServingSweep(parsed: ParsedArgs): boolean {
  return get.list(parsed, "engine").includes("openai") || get.string(parsed, "endpoint") !== undefined;
}

function numbers(parsed: ParsedArgs, name: string, named = false): number[] {
  return get.list(parsed, name).map((v) => {
    const n = named && v in NAMED_LENGTHS ? NAMED_LENGTHS[v] : Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`wattlab sweep: --${name} "${v}" is not a number; write e.g. --${name} ${named ? "128,512" : "1,4,16"}`);
    return n;
  });
}

function one(parsed: ParsedArgs, name: string): string | undefined {
  const values = get.list(parsed, name);
  if (values.length > 1) throw new UsageError(`wattlab sweep: --engine openai measures one ${name} per sweep; got ${values.join(", ")}: run one sweep for each`);
  return values[0];
}

/** The serving spec of `wattlab sweep --engine openai --endpoint URL --model NAME …`. */
export function servingSpecFromArgs(parsed: ParsedArgs): ServingSpec {
  const engines = get.list(parsed, "engine");
  if (engines.some((e) => e !== "openai")) throw new UsageError(`wattlab sweep: --engine openai is a sweep of its own; drop ${engines.filter((e) => e !== "openai").join(", ")} (run them in another sweep)`);
  for (const refused of ["spec", "preset", "shard", "batch-size", "quantization", "device", "mode"]) {
    if (parsed.options[refused] !== undefined) throw new UsageError(`wattlab sweep: --${refused} does not apply to --engine openai (the server decides batching, weights and devices); leave it out`);
  }
  const endpoint = get.string(parsed, "endpoint");
  if (!endpoint) throw new UsageError("wattlab sweep: --engine openai needs --endpoint URL, the server's base URL (e.g. http://127.0.0.1:8080)");
  const model = one(parsed, "model");
  if (!model) throw new UsageError("wattlab sweep: --engine openai needs --model NAME, the server's name for the model (GET /v1/models lists it)");
  const spec = servingDefaults(endpoint, model);
  const dataset = one(parsed, "dataset");
  const concurrency = numbers(parsed, "concurrency");
  const rates = numbers(parsed, "request-rate");
  const chat = get.boolean(parsed, "chat-template");
  return {
    ...spec,
    name: "serving",
    tokenizer: get.string(parsed, "tokenizer") ?? model,
    dataset: (dataset as DatasetName | undefined) ?? spec.dataset,
    // an explicit --dataset is what the user wants measured: a missing file fails, unless --dataset-fallback
    datasetFallback: parsed.options["dataset-fallback"] !== undefined ? parsed.options["dataset-fallback"] === true : dataset === undefined,
    inputLengths: numbers(parsed, "input-length", true).length ? numbers(parsed, "input-length", true) : spec.inputLengths,
    outputLengths: numbers(parsed, "output-length", true).length ? numbers(parsed, "output-length", true) : spec.outputLengths,
    concurrency: rates.length > 0 && concurrency.length === 0 ? [] : concurrency.length ? concurrency : spec.concurrency,
    requestRates: rates,
    numRequests: get.number(parsed, "num-requests") ?? null,
    durationS: get.number(parsed, "duration") ?? null,
    repetitions: get.number(parsed, "reps") ?? spec.repetitions,
    seed: get.number(parsed, "seed") ?? spec.seed,
    chat,
    ignoreEos: parsed.options["fixed-length"] !== undefined ? parsed.options["fixed-length"] === true : spec.ignoreEos,
    promptForm: (get.string(parsed, "prompt-form") as ServingSpec["promptForm"] | undefined) ?? (chat ? "text" : "ids"),
    requestTimeoutS: get.number(parsed, "request-timeout") ?? spec.requestTimeoutS,
    slo: { ttftS: get.number(parsed, "slo-ttft") ?? spec.slo.ttftS, tpotS: get.number(parsed, "slo-tpot") ?? spec.slo.tpotS },
    apiKeyEnv: get.string(parsed, "api-key-env") ?? null,
    // --warmup: unmetered rounds of `concurrency` short requests before each level
    warmupRounds: get.number(parsed, "warmup") ?? spec.warmupRounds,
  };
}
