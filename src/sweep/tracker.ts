// Experiment tracking hook. Only the interface and a no-op exist: @wandb/sdk is not a dependency and W&B's
// run-creation/file-stream HTTP protocol is internal to its SDK, so a hand-written client would be a guess.
// A tracker gets the spec once and each row as it lands in the store.
import type { RunRecord } from "./record.js";
import type { SweepSpec } from "./spec.js";

export interface Tracker {
  start?(spec: SweepSpec): void | Promise<void>;
  log(row: RunRecord): void | Promise<void>;
  finish?(): void | Promise<void>;
}

export const noopTracker: Tracker = { log() {} };
