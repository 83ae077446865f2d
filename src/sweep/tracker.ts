// Experiment tracking hook: a tracker gets the spec once and each row as it lands in the store. The runner
// treats every tracker as optional: it catches what one throws, and a tracker must not make the sweep wait
// long. The W&B one (wandb-tracker.ts, on when WANDB_API_KEY is set) is the only module using @wandb/sdk.
import type { RunRecord } from "./record.js";
import type { SweepSpec } from "./spec.js";

export interface Tracker {
  start?(spec: SweepSpec): void | Promise<void>;
  log(row: RunRecord): void | Promise<void>;
  finish?(): void | Promise<void>;
}

export const noopTracker: Tracker = { log() {} };
