// The bandwidth floor of a decode step: at batch b a step reads every weight once (the embedding table excepted: a
// step reads one row of it per sequence) and makes b tokens, so tokens/s ≤ b × bandwidth ÷ bytes read per step. The
// bandwidth is the one measured on the same GPU in the same run (bench/bandwidth.py's bandwidth.json).
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { getPreset, PRESETS } from "../src/models/presets.js";
import { filesUnder } from "./protocol-check.js";
import { aggregate, verdict, type Aggregate, type Verdict } from "../src/util/stats.js";

/** Bytes per weight of each GGUF matrix type wattlab writes (blocks of 32: Q8_0 34 bytes, Q4_0 18 bytes). */
export const BYTES_PER_WEIGHT: Readonly<Record<string, number>> = { F32: 4, F16: 2, Q8_0: 34 / 32, Q4_0: 18 / 32 };
export const FLOOR_GOAL = 0.75;

/** The embedding table's bytes in a wattlab build of `model` with matrices in `weights` (null: not a preset or type). */
export function embeddingBytes(model: string, weights: string): number | null {
  if (!(model in PRESETS) || !(weights in BYTES_PER_WEIGHT)) return null;
  const c = getPreset(model);
  return c.vocab_size * c.hidden_size * BYTES_PER_WEIGHT[weights];
}

/** Bytes a decode step reads: the model file less its embedding table (the header and vocabulary, a few MB, stay in). */
export function bytesPerStep(row: Record<string, unknown>, weights: string): number | null {
  const file = row.model_weight_bytes;
  const embedding = embeddingBytes(String(row.model), weights);
  return typeof file === "number" && embedding !== null ? file - embedding : null;
}

export interface Bandwidth { bytesPerS: number; device: string; file: string }

/** The first bandwidth.json under `dir` (bench/bandwidth.py's output), or null. */
export function readBandwidth(dir: string): Bandwidth | null {
  for (const file of filesUnder(dir, (name) => name === "bandwidth.json")) {
    const line = readFileSync(file, "utf8").split("\n").find((l) => l.trim().startsWith("{"));
    if (!line) continue;
    const j = JSON.parse(line) as { bandwidth_bytes_per_s_median?: number; device?: string };
    if (typeof j.bandwidth_bytes_per_s_median === "number") return { bytesPerS: j.bandwidth_bytes_per_s_median, device: String(j.device ?? "?"), file: relative(dir, file) };
  }
  return null;
}

export interface FloorShare {
  bytes: number;
  /** batch × bandwidth ÷ bytes. Units: tokens/s. */
  floorTokensPerS: number;
  /** Decode tokens/s over the floor, per repetition, with the mean's 95% interval. */
  share: Aggregate;
  goal: Verdict;
}

/** A cell's decode speed as a share of its floor; null without weight bytes or decode speeds. */
export function floorShare(rows: readonly Record<string, unknown>[], weights: string, batch: number, bandwidth: Bandwidth): FloorShare | null {
  const bytes = rows.map((r) => bytesPerStep(r, weights)).find((b) => b !== null);
  const speeds = rows.map((r) => r.decode_tokens_per_s).filter((v): v is number => typeof v === "number");
  if (!bytes || speeds.length === 0) return null;
  const floorTokensPerS = (batch * bandwidth.bytesPerS) / bytes;
  const share = aggregate(speeds.map((s) => s / floorTokensPerS));
  return { bytes, floorTokensPerS, share, goal: verdict(share.ci, "≥", FLOOR_GOAL) };
}
