// Main-thread side of the sampler worker: starts it, asks for fresh readings, reads the shared ring.
import { Worker } from "node:worker_threads";
import type { ChannelInfo } from "./devices/channel.js";
import type { CpuDescription, GpuDescription } from "./description.js";
import { RingReader } from "./ring.js";
import type { FromWorker, SamplerConfig, Snapshot, ToWorker, WindowPeaks } from "./sampler-protocol.js";
import type { ChannelResolution } from "./resolution.js";
import type { PowerSample } from "./types.js";

/**
 * The worker entry, as a Worker can load it. From compiled dist it is the sibling .js. Under tsx (tests,
 * `node --import tsx`) only the .ts exists and a worker does not inherit tsx's loader hooks, so a small
 * bootstrap registers tsx inside the worker first.
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return { entry: new URL("./sampler-worker.js", self), eval: false };
  const target = new URL("./sampler-worker.ts", self).href;
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve("tsx/esm/api");
  } catch {
    throw new Error("the meter runs from TypeScript sources but tsx is not installed: build with `npm run build` and use dist/, or install tsx");
  }
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); });`;
  return { entry: code, eval: true };
}

export interface SamplerReady {
  channels: ChannelInfo[];
  gpu: GpuDescription;
  cpu: CpuDescription;
  warnings: string[];
  /** Each channel's update period and step, probed at open. */
  resolution: ChannelResolution[];
}

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

export class Sampler {
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;
  private failure: Error | null = null;
  private closed = false;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly ready: SamplerReady,
    private readonly ring: RingReader,
  ) {
    worker.on("message", (message: FromWorker) => {
      if (message.type !== "snapshot" && message.type !== "closed") return;
      const pending = this.pending.get(message.request);
      this.pending.delete(message.request);
      this.idleUnlessPending();
      pending?.resolve(message);
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on("error", (error) => fail(new Error(`meter sampler thread failed: ${error.message}`)));
    worker.on("exit", (code) => {
      if (!this.closing) fail(new Error(`meter sampler thread exited (code ${code}) while the meter was open`));
    });
    this.idleUnlessPending();
  }

  static async start(config: SamplerConfig): Promise<Sampler> {
    const { entry, eval: isEval } = workerEntry();
    // A `node --input-type=module -e …` parent would hand that flag to the thread, which then fails to start.
    const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
    const worker = new Worker(entry, { eval: isEval, workerData: config, execArgv });
    const first = await new Promise<FromWorker>((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`meter sampler thread exited (code ${code}) before it was ready`));
      const settle = (): void => {
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      };
      const onMessage = (message: FromWorker): void => {
        settle();
        resolve(message);
      };
      const onError = (error: Error): void => {
        settle();
        reject(error);
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
    if (first.type !== "ready") {
      await worker.terminate();
      throw new Error(first.type === "failed" ? first.message : `meter sampler sent ${first.type} before ready`);
    }
    const { ring, ...ready } = first;
    return new Sampler(worker, ready, new RingReader(ring));
  }

  // An idle meter must not keep the process alive; one waiting for an answer must.
  private idleUnlessPending(): void {
    if (this.pending.size === 0) this.worker.unref();
    else this.worker.ref();
  }

  private request(message: ToWorker & { request: number }, closing = false): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing && !closing) return Promise.reject(new Error("the meter is closed: open a new one with Meter.open()"));
    return new Promise((resolve, reject) => {
      this.pending.set(message.request, { resolve, reject });
      this.idleUnlessPending();
      this.worker.postMessage(message);
    });
  }

  /** `atMs`: when the window really began (ms since open, ≤ now); the reading is moved back to it. */
  async begin(window: number, atMs?: number, align?: boolean): Promise<Snapshot> {
    const reply = await this.request({ type: "begin", request: this.nextRequest++, window, atMs, align });
    if (reply.type !== "snapshot") throw new Error(`meter sampler answered ${reply.type} to begin`);
    return reply.snapshot;
  }

  async end(window: number, atMs?: number, align?: boolean): Promise<{ snapshot: Snapshot; peaks: WindowPeaks | null }> {
    const reply = await this.request({ type: "end", request: this.nextRequest++, window, atMs, align });
    if (reply.type !== "snapshot") throw new Error(`meter sampler answered ${reply.type} to end`);
    return { snapshot: reply.snapshot, peaks: reply.peaks };
  }

  drop(window: number): void {
    if (!this.closing && !this.failure) this.worker.postMessage({ type: "drop", window } satisfies ToWorker);
  }

  dropAll(): void {
    if (!this.closing && !this.failure) this.worker.postMessage({ type: "dropAll" } satisfies ToWorker);
  }

  /** Samples from the shared ring, oldest first; a channel without a reading is left out of `watts`. */
  trace(fromMs?: number, toMs?: number): PowerSample[] {
    const keys = this.ready.channels.map((channel) => channel.key);
    return this.ring.read(fromMs, toMs).map((row) => {
      const watts: Record<string, number> = {};
      row.watts.forEach((value, i) => {
        if (Number.isFinite(value)) watts[keys[i]] = value;
      });
      return { tMs: row.tMs, watts };
    });
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (!this.failure) {
      try {
        await this.request({ type: "close", request: this.nextRequest++ }, true);
      } catch {
        // The thread is gone already; terminate below is enough.
      }
    }
    this.closed = true;
    await this.worker.terminate();
  }
}
