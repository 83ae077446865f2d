// The measurement protocol: how a row was measured (windows, their minimums, warm-up), stated in words and hashed
// beside the run key. A store reuses a row only when it was measured the same way: same protocol, same model build
// (manifest hash), same major version of wattlab. Otherwise the run is measured again (and `--force` still redoes
// everything).
import type { SweepSpec } from "./spec.js";
import { stableHash } from "./hash.js";
import { DEFAULT_PREFILL_ENERGY, type PrefillEnergyMode } from "./prefill-energy.js";
import { DEFAULT_WINDOW_PROTOCOL, type WindowProtocol } from "./repeated-window.js";

/**
 * Bumped when the way a figure is measured changes without a setting to show for it (new window arithmetic,
 * another definition of a column). 2: issue 17 (repeated generation windows, peaks from samples, one definition
 * per quantity).
 */
export const MEASUREMENT_PROTOCOL_VERSION = 2;

export interface MeasurementProtocol {
  /** "repeated": windows of back-to-back generations and prefills; "window": one generation's hook windows. */
  measurement: PrefillEnergyMode;
  window: WindowProtocol;
  warmupRuns: number;
}

export type ProtocolFields = Pick<SweepSpec, "warmupRuns" | "prefillEnergy" | "prefillMinS" | "minWindowS" | "minWindowUpdates" | "minGenerations">;

/** The spec's protocol with defaults filled in. `min_window_s` wins over its older name `prefill_min_s`. */
export function measurementProtocol(spec: ProtocolFields): MeasurementProtocol {
  return {
    measurement: spec.prefillEnergy ?? DEFAULT_PREFILL_ENERGY,
    window: {
      minSeconds: spec.minWindowS ?? spec.prefillMinS ?? DEFAULT_WINDOW_PROTOCOL.minSeconds,
      minUpdates: spec.minWindowUpdates ?? DEFAULT_WINDOW_PROTOCOL.minUpdates,
      minCount: spec.minGenerations ?? DEFAULT_WINDOW_PROTOCOL.minCount,
    },
    warmupRuns: spec.warmupRuns,
  };
}

/** "repeated windows ≥ 2 s or ≥ 20 counter updates, ≥ 3 generations; 1 warm-up; protocol 2, wattlab 0.x". */
export function describeProtocol(p: MeasurementProtocol, wattlabVersion: string | null): string {
  const w = p.window;
  const windows = p.measurement === "repeated"
    ? `repeated windows ≥ ${w.minSeconds} s or ≥ ${w.minUpdates} counter updates, ≥ ${w.minCount} generations`
    : "one generation's prefill and decode windows";
  return `${windows}; ${p.warmupRuns} warm-up${p.warmupRuns === 1 ? "" : "s"} per shape; protocol ${MEASUREMENT_PROTOCOL_VERSION}, wattlab ${majorVersion(wattlabVersion)}`;
}

/** "0.x" for 0.y.z (before 1.0 every minor is a major), else "N". */
export function majorVersion(version: string | null): string {
  if (!version) return "unknown";
  const [major, minor] = version.split(".");
  return major === "0" ? `0.${minor ?? "0"}` : major;
}

/** The hash stored beside each row's key: protocol, model manifest hash and wattlab's major version. */
export function protocolHash(p: MeasurementProtocol, modelManifestHash: string | null, wattlabVersion: string | null): string {
  // the window minimums only matter in repeated mode
  const windows = p.measurement === "repeated" ? p.window : null;
  return stableHash({
    version: MEASUREMENT_PROTOCOL_VERSION, measurement: p.measurement, windows, warmup_runs: p.warmupRuns,
    model_manifest_hash: modelManifestHash, wattlab: majorVersion(wattlabVersion),
  });
}

/**
 * Whether a stored row stands for a planned run: a failed row (kept only when failures are skipped) always does; a
 * completed one only when its protocol hash matches this protocol on `manifestHash` (undefined: the build is not
 * known without building it, so the row's own manifest hash is taken) and this major version.
 */
export function reusableRow(
  row: { state: string; protocol_hash?: unknown; model_manifest_hash?: unknown }, protocol: MeasurementProtocol,
  manifestHash: string | null | undefined, wattlabVersion: string | null,
): boolean {
  if (row.state === "failed") return true;
  const manifest = manifestHash !== undefined ? manifestHash : typeof row.model_manifest_hash === "string" ? row.model_manifest_hash : null;
  return row.protocol_hash === protocolHash(protocol, manifest, wattlabVersion);
}
