// One generation under onnxruntime's profiler: which operators a decode step spends its time in, after an
// unprofiled-in-the-summary warm-up. No meter: the profiler's own cost would be in every joule.
// On WebGPU the profile also holds the EP's GPU timestamps (one per shader dispatch): GPU kernel time per run and
// per program, beside the host-side per-operator times (recording and dispatch there, not GPU time).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OnnxRuntimeEngine } from "../engine/onnxruntime/engine.js";
import { readProfile, summarizeProfileEvents, type ProfileSummary } from "../engine/onnxruntime/profile.js";
import type { ExecutionProvider } from "../engine/types.js";
import type { Quantization } from "../sweep/dimensions.js";
import { dtypeFor, resolveModel, type ModelStoreOptions } from "./models.js";

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
  /** onnxruntime session config entries, key → value. */
  sessionConfig?: Readonly<Record<string, string>>;
}

export interface ProfiledGeneration {
  file: string;
  /** Session runs per generation: one prefill, then one per further token. */
  runsPerGeneration: number;
  /** The measured generation only: the prefill run and the decode runs together. */
  summary: ProfileSummary;
  /** The measured generation's prefill run alone. */
  prefill: ProfileSummary;
  /** The same, decode runs only (the prefill run left out too). */
  decode: ProfileSummary | null;
}

/** A profile whose session runs are not (warm-ups + 1) generations of the given length. */
export class ProfileShapeError extends Error {
  constructor(readonly file: string, readonly runs: number, readonly runsPerGeneration: number, readonly warmupRuns: number) {
    super(`${file} holds ${runs} session runs, not (${warmupRuns} warm-ups + 1) × ${runsPerGeneration} = ${(warmupRuns + 1) * runsPerGeneration}`);
  }
}

/**
 * The measured generation of a profile file: `warmupRuns` generations of `runsPerGeneration` session runs each are
 * left out, then the prefill run and the decode runs are summarised apart (and together). The file is read once.
 */
export function summarizeGeneration(file: string, runsPerGeneration: number, warmupRuns: number): ProfiledGeneration {
  const events = readProfile(file);
  // a file from other flags would summarise the wrong runs as prefill and decode: refuse it
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").length;
  if (runs !== (warmupRuns + 1) * runsPerGeneration) {
    throw new ProfileShapeError(file, runs, runsPerGeneration, warmupRuns);
  }
  const skip = warmupRuns * runsPerGeneration;
  return {
    file, runsPerGeneration,
    summary: summarizeProfileEvents(events, { skipRuns: skip }, file),
    prefill: summarizeProfileEvents(events, { skipRuns: skip, runs: 1 }, file),
    decode: runsPerGeneration > 1 ? summarizeProfileEvents(events, { skipRuns: skip + 1 }, file) : null,
  };
}

/** The printout of `wattlab profile`: GPU timestamps first where the profile has them, then the host-side table. */
export function formatProfile(p: ProfiledGeneration, top = 12): string[] {
  const s = p.decode ?? p.summary;
  const ms = (us: number) => (us / 1000).toFixed(3);
  const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(0)}%` : "-");
  const lines = [`profile: ${p.file}`, `${p.decode ? "decode runs" : "runs"}: ${s.runs}, mean ${ms(s.runMeanUs)} ms per run (wall time of a session run)`];
  const gpuSection = (label: string, x: ProfileSummary) => {
    const g = x.gpu!;
    const counts = g.dispatchesMin === g.dispatchesMax ? `${g.dispatchesMin}` : `${g.dispatchesPerRun.toFixed(1)} (${g.dispatchesMin}-${g.dispatchesMax}: runs differ)`;
    lines.push(`GPU timestamps, ${label}: kernels ${ms(g.kernelUsPerRun)} ms per run over ${counts} dispatches; ` +
      `GPU-busy span ${ms(g.spanUsPerRun)} ms (kernels ${pct(g.kernelUsPerRun, g.spanUsPerRun)} of the span, span ${pct(g.spanUsPerRun, x.runMeanUs)} of the run's ${ms(x.runMeanUs)} ms)`);
    const rows = g.programs.slice(0, top);
    const width = Math.max(7, ...rows.map((o) => o.program.length));
    lines.push(`  ${"program".padEnd(width)}  calls/run  ms/run   share`);
    for (const o of rows) {
      lines.push(`  ${o.program.padEnd(width)}  ${o.callsPerRun.toFixed(1).padStart(9)}  ${ms(o.usPerRun).padStart(7)}  ${(100 * o.share).toFixed(1).padStart(5)}%`);
    }
  };
  if (s.gpu && s.gpuGrouping) {
    const gr = s.gpuGrouping;
    lines.push(`GPU timestamps (the WebGPU EP's timestamp queries, one per shader dispatch): ${gr.events} in the profile, grouped by session run` +
      (gr.gapsAgree ? " (the runs' idle gaps give the same groups)" : " — WARNING: the runs' idle gaps give other groups; per-run GPU figures may mix runs") +
      (gr.outside > 0 ? `; ${gr.outside} before the first run, left out` : ""));
    gpuSection(p.decode ? "per decode run" : "per run", s);
    if (p.decode && p.prefill.gpu) gpuSection("prefill run", p.prefill);
  } else {
    lines.push("GPU timestamps: none in this profile (CPU EP, or a WebGPU adapter/build without timestamp queries); host-side times only");
  }
  lines.push(`host-side (onnxruntime's per-node kernel calls; on a GPU EP that is recording and dispatch, not GPU time): ` +
    `${ms(s.kernelUsPerRun)} ms per ${p.decode ? "decode " : ""}run (${pct(s.kernelUsPerRun, s.runMeanUs)} of the run)`);
  const rows = s.ops.slice(0, top);
  const width = Math.max(8, ...rows.map((o) => o.op.length));
  lines.push(`  ${"operator".padEnd(width)}  provider  calls/run  ms/run   share`);
  for (const o of rows) {
    lines.push(`  ${o.op.padEnd(width)}  ${o.provider.padEnd(8)}  ${o.callsPerRun.toFixed(1).padStart(9)}  ${ms(o.usPerRun).padStart(7)}  ${(100 * o.share).toFixed(1).padStart(5)}%`);
  }
  return lines;
}

export async function profileGeneration(options: ProfileGenerationOptions = {}): Promise<ProfiledGeneration> {
  const device = options.device ?? "cpu", model = options.model ?? "tiny";
  const dtype = dtypeFor(model, options.quantization);
  const resolved = await resolveModel(model, dtype.build, "onnxruntime", { ...options, device });
  const profilePrefix = options.profilePrefix ?? join(mkdtempSync(join(tmpdir(), "wattlab-profile-")), "onnxruntime");
  const engine = await OnnxRuntimeEngine.open({ modelDir: resolved.dir, device, dtype: dtype.open, threads: options.threads, profilePrefix, sessionConfig: options.sessionConfig });
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
    return summarizeGeneration(file, runsPerGeneration, warmups);
  } finally {
    await engine.dispose();
  }
}
