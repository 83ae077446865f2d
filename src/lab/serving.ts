// The real parts behind a serving sweep (src/sweep/serving): the prompts' tokenizer and a meter over the server's
// devices; and a notebook's run cell for it, which hands back the rows of its own levels.
import { loadTokenizer, tokenizerFromJson } from "../engine/tokenizer.js";
import { Meter, type MeterOptions } from "../meter/index.js";
import { getPreset } from "../models/presets.js";
import { synthesizeTokenizer } from "../models/tokenizer-synth.js";
import { readResults } from "../sweep/store.js";
import { runServingSweep, validateServingSpec, servingDefaults, type ServingDeps, type ServingOptions, type ServingRecord, type ServingSpec, type ServingSummary, type ServingTokenizer } from "../sweep/serving/index.js";
import { sweepMeter } from "./deps.js";
import { isPreset } from "./models.js";

/**
 * A preset's tokenizer is the synthetic one its builds ship (the same ids in its ONNX folder and GGUF), made here
 * without building the model; anything else is a folder with tokenizer.json or a hub id.
 */
export async function servingTokenizer(source: string): Promise<ServingTokenizer> {
  if (!isPreset(source)) return loadTokenizer(source);
  const c = getPreset(source);
  const files = synthesizeTokenizer({
    vocabSize: c.vocab_size, bosTokenId: c.bos_token_id, eosTokenId: Array.isArray(c.eos_token_id) ? c.eos_token_id[0] : c.eos_token_id,
    padTokenId: c.pad_token_id, modelMaxLength: c.max_position_embeddings,
  });
  return tokenizerFromJson(files.tokenizer, files.tokenizerConfig);
}

/**
 * The server is another process: the CPU estimate covers the whole machine (not this process tree), and the GPUs are
 * those the server uses (`meter.gpus`, default the visible ones).
 */
export function labServingDeps(meter: MeterOptions = {}): ServingDeps {
  return {
    tokenizer: servingTokenizer,
    openMeter: async () => sweepMeter(await Meter.open({ gpus: "visible", cpu: "auto", cpuEstimate: "machine", ...meter })),
  };
}

export interface LabServingOptions extends Partial<Omit<ServingSpec, "endpoint" | "servedModel">>, Omit<ServingOptions, "say"> {
  endpoint: string;
  /** The server's name for the model. */
  model: string;
  meter?: MeterOptions;
  /** Print one line per level; default false. */
  progress?: boolean;
}

/** Runs (or resumes) a serving sweep into outDir and returns the rows of its levels (serving.jsonl). */
export async function servingSweep(options: LabServingOptions): Promise<{ rows: ServingRecord[]; summary: ServingSummary }> {
  const { endpoint, model, meter, progress, outDir, force, idleSeconds, carbon, env, signal, ...fields } = options;
  const spec = validateServingSpec({ ...servingDefaults(endpoint, model), ...definedOnly(fields) });
  const summary = await runServingSweep(spec, labServingDeps(meter), {
    outDir, force, idleSeconds: idleSeconds ?? 2, carbon, env, signal, say: progress ? (m) => console.log(m) : () => {},
  });
  const keys = new Set(summary.keys);
  const latest = new Map<string, ServingRecord>();
  for (const row of readResults<ServingRecord>(summary.resultsPath).rows) {
    if (keys.has(row.key) && (row.state === "completed" || latest.get(row.key)?.state !== "completed")) latest.set(row.key, row);
  }
  return { rows: [...latest.values()], summary };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
