// One generation under onnxruntime's profiler: which operators a decode step spends its time in, after an
// unprofiled-in-the-summary warm-up. No meter: the profiler's own cost would be in every joule.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OnnxRuntimeEngine } from "../engine/onnxruntime/engine.js";
import { summarizeProfile, type ProfileSummary } from "../engine/onnxruntime/profile.js";
import type { ExecutionProvider } from "../engine/types.js";
import type { Quantization } from "../sweep/dimensions.js";
import { resolveModel, type ModelStoreOptions } from "./models.js";

export interface ProfileGenerationOptions extends ModelStoreOptions {
  model?: string;
  device?: ExecutionProvider;
  quantization?: Quantization;
  inputTokens?: number;
  maxNewTokens?: number;
  batch?: number;
  /** Generations left out of the summary (shader compiles, first allocations). Default 1. */
  warmupRuns?: number;
  threads?: number;
  /** Where the profile JSON goes: `<prefix>_<date>.json`. Default: a new temp folder. */
  profilePrefix?: string;
}

export interface ProfiledGeneration {
  file: string;
  /** Session runs per generation: one prefill, then one per further token. */
  runsPerGeneration: number;
  /** The measured generation only: the prefill run and the decode runs together. */
  summary: ProfileSummary;
  /** The same, decode runs only (the prefill run left out too). */
  decode: ProfileSummary | null;
}

export async function profileGeneration(options: ProfileGenerationOptions = {}): Promise<ProfiledGeneration> {
  const device = options.device ?? "cpu", quantization = options.quantization ?? "fp32";
  const resolved = await resolveModel(options.model ?? "tiny", quantization, "onnxruntime", { ...options, device });
  const profilePrefix = options.profilePrefix ?? join(mkdtempSync(join(tmpdir(), "wattlab-profile-")), "onnxruntime");
  const engine = await OnnxRuntimeEngine.open({ modelDir: resolved.dir, device, dtype: quantization, threads: options.threads, profilePrefix });
  try {
    const batch = options.batch ?? 1, inputTokens = options.inputTokens ?? 32;
    const vocab = engine.info.vocabSize;
    // fixed ids: the operators' cost depends on shapes, not on which tokens
    const promptIds = Array.from({ length: batch }, (_, r) => Array.from({ length: inputTokens }, (_, i) => 1 + ((r * 131 + i * 37) % (vocab - 1))));
    const request = { promptIds, maxNewTokens: options.maxNewTokens ?? 16, fixedLength: true };
    let runsPerGeneration = 0;
    const warmups = options.warmupRuns ?? 1;
    for (let i = 0; i < warmups; i++) runsPerGeneration = 1 + (await engine.generate(request)).decodeStepS.length;
    const measured = await engine.generate(request);
    runsPerGeneration = 1 + measured.decodeStepS.length;
    const file = engine.endProfiling();
    if (!file) throw new Error(`onnxruntime wrote no profile next to ${profilePrefix}; check that the folder is writable`);
    const skip = warmups * runsPerGeneration;
    return {
      file, runsPerGeneration,
      summary: summarizeProfile(file, { skipRuns: skip }),
      decode: runsPerGeneration > 1 ? summarizeProfile(file, { skipRuns: skip + 1 }) : null,
    };
  } finally {
    await engine.dispose();
  }
}
