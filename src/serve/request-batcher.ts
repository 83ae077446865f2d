// Request-level batching for an engine without slots (onnxruntime): requests that arrive within `waitMs` of the
// first one waiting, up to `maxBatch` (and as many as fit the context together), run as one engine.generate batch;
// requests arriving meanwhile wait for the next. Tokens stream per step through the engine's afterStep hook; each
// request leaves when its own rule says (onToken's "stop", its max tokens, an abort) and is answered at once; the
// batch ends when every request in it has left.
import type { Engine } from "../engine/types.js";
import type { GenerationSlots, SlotRequest, SlotResult, SlotStats } from "../engine/slots.js";

interface Waiting {
  request: SlotRequest;
  resolve(result: SlotResult): void;
  reject(error: unknown): void;
  arrivedMs: number;
}

interface Row extends Waiting {
  outputIds: number[];
  finish: SlotResult["finish"] | null;
  queuedS: number;
}

export interface RequestBatcherOptions {
  /** Most requests in one batch. */
  maxBatch: number;
  /** How long the first waiting request waits for others to join its batch. Units: ms. */
  waitMs: number;
}

export class RequestBatcher implements GenerationSlots {
  private readonly queue: Waiting[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private activeRows = 0;
  private readonly counts = { steps: 0, decodeCalls: 0, maxSequencesPerDecode: 0 };

  constructor(private readonly engine: Engine, private readonly options: RequestBatcherOptions) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new Error(`maxBatch must be an integer ≥ 1, got ${options.maxBatch}`);
    if (!(options.waitMs >= 0)) throw new Error(`waitMs must be ≥ 0, got ${options.waitMs}`);
  }

  get capacity(): number {
    return this.options.maxBatch;
  }

  get contextSize(): number {
    return this.engine.info.contextLength;
  }

  stats(): SlotStats {
    return { capacity: this.capacity, active: this.activeRows, waiting: this.queue.length, ...this.counts };
  }

  generate(request: SlotRequest): Promise<SlotResult> {
    if (this.closed) return Promise.reject(new Error("the server is shutting down"));
    const { promptIds, maxNewTokens } = request;
    if (promptIds.length === 0) return Promise.reject(new Error("the prompt is empty; it needs at least one token"));
    if (promptIds.length + maxNewTokens > this.contextSize) {
      return Promise.reject(new Error(`${promptIds.length} prompt tokens + maxNewTokens ${maxNewTokens} exceeds the context length ${this.contextSize}`));
    }
    return new Promise<SlotResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject, arrivedMs: performance.now() });
      this.schedule();
    });
  }

  /** Starts a batch when the queue is full, or once the first waiting request has waited waitMs. */
  private schedule(): void {
    if (this.running || this.closed || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxBatch;
    const delayMs = full ? 0 : Math.max(0, this.queue[0].arrivedMs + this.options.waitMs - performance.now());
    if (this.timer && !full) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runBatch(this.take()).finally(() => {
        this.running = null;
        this.schedule();
      });
    }, delayMs);
  }

  /** The next batch: queued requests in order while their longest prompt plus their most new tokens fit the context. */
  private take(): Row[] {
    const rows: Row[] = [];
    let longest = 0, most = 0;
    while (this.queue.length > 0 && rows.length < this.options.maxBatch) {
      const next = this.queue[0];
      const queuedS = (performance.now() - next.arrivedMs) / 1000;
      if (next.request.signal?.aborted) {
        this.queue.shift();
        next.resolve({ outputIds: [], finish: "aborted", queuedS });
        continue;
      }
      const l = Math.max(longest, next.request.promptIds.length), m = Math.max(most, next.request.maxNewTokens);
      if (rows.length > 0 && l + m > this.contextSize) break;
      [longest, most] = [l, m];
      this.queue.shift();
      rows.push({ ...next, outputIds: [], finish: null, queuedS });
    }
    return rows;
  }

  private async runBatch(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    this.activeRows = rows.length;
    this.counts.maxSequencesPerDecode = Math.max(this.counts.maxSequencesPerDecode, rows.length);
    try {
      await this.engine.generate({
        promptIds: rows.map((r) => [...r.request.promptIds]),
        maxNewTokens: Math.max(...rows.map((r) => r.request.maxNewTokens)),
        fixedLength: true, // each request's own rule decides where it ends (onToken); the batch stops when all have
      }, { afterStep: (tokens) => this.afterStep(rows, tokens) });
      for (const row of rows) this.settle(row, "length");
    } catch (error) {
      for (const row of rows.filter((r) => r.finish === null)) {
        row.finish = "aborted";
        row.reject(error);
      }
    } finally {
      this.activeRows = 0;
    }
  }

  /** One engine step: hand each live row its token; "stop" once no row is live. */
  private afterStep(rows: Row[], tokens: readonly (number | null)[]): void | "stop" {
    this.counts.steps++;
    this.counts.decodeCalls++;
    rows.forEach((row, r) => {
      const token = tokens[r];
      if (row.finish !== null || token === null) return;
      const first = row.outputIds.length === 0;
      row.outputIds.push(token);
      let verdict: void | "stop";
      try {
        verdict = row.request.onToken({ token, processedTokens: first ? row.request.promptIds.length : 1, batchSize: rows.length });
      } catch (error) {
        row.finish = "aborted";
        row.reject(error);
        return;
      }
      if (verdict === "stop") this.settle(row, "stopped");
      else if (row.outputIds.length >= row.request.maxNewTokens) this.settle(row, "length");
      else if (row.request.signal?.aborted) this.settle(row, "aborted");
    });
    this.activeRows = rows.filter((r) => r.finish === null).length;
    return this.activeRows === 0 ? "stop" : undefined;
  }

  /** Answers a row once: the first finish wins. */
  private settle(row: Row, finish: SlotResult["finish"]): void {
    if (row.finish !== null) return;
    row.finish = finish;
    row.resolve({ outputIds: row.outputIds, finish, queuedS: row.queuedS });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiting of this.queue.splice(0)) waiting.reject(new Error("the server is shutting down"));
    await this.running;
  }
}
