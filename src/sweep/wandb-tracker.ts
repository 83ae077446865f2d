// Optional W&B logging of a sweep through @wandb/sdk, on only when WANDB_API_KEY is set. It must never block
// or fail a sweep, and @wandb/sdk 0.5.1 makes that hard in-process: on HTTP 5xx it retries the same request
// up to 50 times with back-off capped at 30 s (its timers would hold the process open for many minutes after
// the sweep), prints "Retrying…" to stdout, installs its own SIGINT handler that calls process.exit(), and
// throws some errors from inside event listeners (uncaught). So the SDK runs in a worker thread: its output
// is captured, signals are not delivered to it, an uncaught throw there is only an 'error' event here, and
// terminate() ends its timers. This module is the only one that names @wandb/sdk; only the worker imports it,
// and only when a sweep starts with a key set.
import { Worker } from "node:worker_threads";
import { RECORD_COLUMNS, type RunRecord } from "./record.js";
import { specToJson, type SweepSpec } from "./spec.js";
import type { Tracker } from "./tracker.js";

export interface WandbTrackerOptions {
  /** Where the one warning line goes (and the run's address once it exists); default console.warn. */
  notify?(line: string): void;
  /** How long the sweep waits for W&B to create the run before going on without it. Units: ms. Default 10000. */
  startTimeoutMs?: number;
  /** How long the sweep's end waits for the last rows to upload. Units: ms. Default 10000. */
  finishTimeoutMs?: number;
}

interface WandbSettings {
  apiKey: string;
  baseUrl: string;
  project: string;
  entity: string | null;
}

const OFF_VALUES = new Set(["0", "false", "off", "no"]);

/**
 * A tracker logging each row to a W&B run named after the sweep, or null when W&B is not asked for:
 * WANDB_API_KEY unset or empty, WATTLAB_WANDB=0, or WANDB_MODE disabled/offline (this SDK has no offline
 * store to sync later). Also read: WANDB_PROJECT (default "wattlab"), WANDB_ENTITY (default: the key's
 * user), WANDB_BASE_URL (default https://api.wandb.ai). Creating it loads nothing; start() does.
 */
export function wandbTrackerFromEnv(env: NodeJS.ProcessEnv = process.env, options: WandbTrackerOptions = {}): Tracker | null {
  const apiKey = env.WANDB_API_KEY?.trim();
  if (!apiKey) return null;
  if (OFF_VALUES.has((env.WATTLAB_WANDB ?? "").trim().toLowerCase())) return null;
  const mode = (env.WANDB_MODE ?? "").trim().toLowerCase();
  if (mode === "disabled" || mode === "offline" || mode === "dryrun") return null;
  return new WandbTracker({
    apiKey,
    baseUrl: (env.WANDB_BASE_URL?.trim() || "https://api.wandb.ai").replace(/\/+$/, ""),
    project: env.WANDB_PROJECT?.trim() || "wattlab",
    entity: env.WANDB_ENTITY?.trim() || null,
  }, options);
}

/** What a row sends to W&B: its key and state, and every numeric column under the record's column name. */
export function wandbRowData(row: RunRecord): Record<string, number | string> {
  const data: Record<string, number | string> = { key: row.key, state: row.state };
  for (const column of RECORD_COLUMNS) {
    const value = row[column];
    if (typeof value === "number" && Number.isFinite(value)) data[column] = value;
  }
  return data;
}

let sdkLoads = 0;
let liveWorkers = 0;
/** How many times a worker importing @wandb/sdk was started, and how many are alive now (for tests). */
export function wandbWorkerCounts(): { loads: number; live: number } {
  return { loads: sdkLoads, live: liveWorkers };
}

// The worker: plain JavaScript run with eval, so it needs no TypeScript loader (tsx does not reach workers)
// and resolves nothing relative to this file. Protocol: → ready {url} | failed {reason}; ← log {data};
// ← finish → finished.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
// the SDK reports why a request failed only on console.error ("Fatal error:  FetchError: … ECONNREFUSED")
const errors = [];
console.error = (...parts) => { if (errors.length < 5) errors.push(parts.map(String).join(" ")); };
const failed = (e) => {
  const message = e && e.message ? String(e.message) : String(e);
  const cause = errors.find((line) => !line.includes(message));
  parentPort.postMessage({ type: "failed", reason: cause ? message + "; " + cause : message });
};
(async () => {
  const { wandb } = await import(workerData.sdkUrl);
  const s = workerData.settings;
  const run = await wandb.init({
    project: s.project, entity: s.entity || undefined, name: workerData.name, config: workerData.config,
    settings: { apiKey: s.apiKey, baseUrl: s.baseUrl, silent: true },
  });
  parentPort.on("message", (m) => {
    if (m.type === "log") run.log(m.data);
    else if (m.type === "finish") run.finish(0).then(() => parentPort.postMessage({ type: "finished" }), failed);
  });
  parentPort.postMessage({ type: "ready", url: run.url() });
})().catch(failed);
`;

type Answer = { ok: true; message: { type: string; url?: string } } | { ok: false; reason: string };

class WandbTracker implements Tracker {
  private worker: Worker | null = null;
  private off = false;
  /** Settles when a disabled tracker's worker has ended (finish() waits for it). */
  private stopping: Promise<unknown> = Promise.resolve();
  private readonly notify: (line: string) => void;

  constructor(private readonly settings: WandbSettings, private readonly options: WandbTrackerOptions) {
    this.notify = options.notify ?? ((line) => console.warn(line));
  }

  async start(spec: SweepSpec): Promise<void> {
    if (this.off || this.worker) return;
    let sdkUrl: string;
    try {
      sdkUrl = import.meta.resolve("@wandb/sdk");
    } catch {
      this.disable("@wandb/sdk is not installed (npm install @wandb/sdk)");
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true, stdout: true, stderr: true,
        // an empty environment: the SDK reads WANDB_* itself (WANDB_WORKER=true would break it); it gets
        // everything it needs from workerData
        env: {},
        workerData: { sdkUrl, settings: this.settings, name: spec.name, config: specToJson(spec) },
      });
    } catch (error) {
      this.disable(`its worker did not start (${messageOf(error)})`);
      return;
    }
    sdkLoads++;
    liveWorkers++;
    this.worker = worker;
    worker.unref(); // never what keeps a finished sweep's process alive
    // the SDK's "Retrying…", "Fatal error…" and "View run at…" lines: dropped, never mixed into the sweep's
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on("exit", (code) => {
      liveWorkers--;
      if (this.worker === worker) this.disable(`its worker stopped (exit code ${code})`);
    });
    worker.on("error", (error) => {
      if (this.worker === worker) this.disable(messageOf(error));
    });
    worker.on("message", (m: { type: string; reason?: string }) => {
      if (m.type === "failed" && this.worker === worker) this.disable(m.reason ?? "unknown failure");
    });

    const startMs = this.options.startTimeoutMs ?? 10000;
    const answer = await answerOf(worker, "ready", startMs);
    if (!answer.ok) {
      this.disable(answer.reason || `${this.settings.baseUrl} did not create the run within ${startMs / 1000} s`);
      return;
    }
    if (answer.message.url) this.notify(`wattlab: logging this sweep to W&B: ${answer.message.url}`);
  }

  log(row: RunRecord): void {
    if (this.off || !this.worker) return;
    try {
      this.worker.postMessage({ type: "log", data: wandbRowData(row) });
    } catch (error) {
      this.disable(messageOf(error));
    }
  }

  async finish(): Promise<void> {
    const worker = this.worker;
    if (this.off || !worker) {
      await this.stopping;
      return;
    }
    const finishMs = this.options.finishTimeoutMs ?? 10000;
    worker.postMessage({ type: "finish" });
    const answer = await answerOf(worker, "finished", finishMs);
    if (!answer.ok) {
      this.disable(answer.reason || `it did not confirm the upload of the last rows within ${finishMs / 1000} s; the dashboard may miss them`);
      await this.stopping;
      return;
    }
    this.worker = null;
    await worker.terminate().catch(() => {});
  }

  /** First failure: one warning line, then nothing more is sent and the worker (with its timers) ends. */
  private disable(reason: string): void {
    if (this.off) return;
    this.off = true;
    const worker = this.worker;
    this.worker = null;
    this.notify(`wattlab: W&B logging (@wandb/sdk) failed and is off for the rest of this sweep: ${this.redact(clip(reason))}. `
      + `The sweep and its results are unaffected; set WATTLAB_WANDB=0 to skip W&B.`);
    if (worker) this.stopping = worker.terminate().catch(() => {});
  }

  /** The key never reaches a message, whatever the SDK put in its errors. */
  private redact(text: string): string {
    const { apiKey } = this.settings;
    const basic = Buffer.from(`api:${apiKey}`).toString("base64");
    return text.split(apiKey).join("***").split(basic).join("***");
  }
}

/** The worker's next message of `type`, or why it will not come (failure, exit, error, timeout: reason ""). */
function answerOf(worker: Worker, type: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const done = (answer: Answer) => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("exit", onExit).off("error", onError);
      resolve(answer);
    };
    const onMessage = (m: { type: string; reason?: string; url?: string }) => {
      if (m.type === type) done({ ok: true, message: m });
      else if (m.type === "failed") done({ ok: false, reason: m.reason ?? "unknown failure" });
    };
    const onExit = (code: number) => done({ ok: false, reason: `its worker stopped (exit code ${code})` });
    const onError = (error: unknown) => done({ ok: false, reason: messageOf(error) });
    const timer = setTimeout(() => done({ ok: false, reason: "" }), timeoutMs);
    worker.on("message", onMessage).on("exit", onExit).on("error", onError);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
