// Drives the load: a closed loop (N requests in flight) or an open loop (seeded Poisson arrivals), finds the
// steady-state window as it happens and calls the caller's hooks there, so a meter window can open and close on it.
//
// Steady-state window:
// - closed loop: from the moment the target concurrency is first reached (request N sent) until the first request
//   ends after the last request was sent (the drain begins); none when num_requests ≤ concurrency.
// - open loop: from the first token of the run until the first request ends after arrivals stopped (the last request
//   sent, or the duration reached); none when the first token came only after arrivals stopped.
// The hooks are awaited without holding the load up: requests keep being sent and read while they run.
import { setMaxListeners } from "node:events";
import type { LoadOptions, LoadRun, RequestRecord } from "./types.js";
import { sendRequest } from "./request.js";
import { poissonArrivals } from "./arrivals.js";
import { validateLoadOptions } from "./validate.js";

const fmt = (s: number) => s.toFixed(3);

/** Runs the load described by `options` and returns every request's record and the steady-state window. Never throws
 * for a failed request (each becomes a failed record); throws for bad options, and rethrows a hook's error after the load. */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  validateLoadOptions(options);
  return new LoadRunner(options).run();
}

class LoadRunner {
  private readonly t0 = performance.now();
  private readonly records: RequestRecord[] = [];
  private readonly controller = new AbortController();
  private sent = 0;
  private inFlight = 0;
  private stopped = false;
  private stopS: number | null = null;
  private startS: number | null = null;
  private endS: number | null = null;
  private firstTokenS: number | null = null;
  private startHook: Promise<void> | null = null;
  private endHook: Promise<void> | null = null;
  private hookError: { error: unknown } | null = null;
  private arrivalTimer: NodeJS.Timeout | undefined;
  private readonly arrivals: Iterator<number> | null;
  private finish: () => void = () => undefined;
  private readonly finished = new Promise<void>((resolve) => { this.finish = resolve; });

  constructor(private readonly options: LoadOptions) {
    const a = options.arrival;
    this.arrivals = a.kind === "open" ? poissonArrivals(a.requestRatePerS, a.seed) : null;
  }

  private now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  async run(): Promise<LoadRun> {
    const { signal, durationS, arrival, numRequests } = this.options;
    // every request in flight listens for the run's abort: at concurrency 64 that is 64 listeners, none leaked
    setMaxListeners(0, this.controller.signal);
    const onAbort = () => { this.stop(); this.controller.abort(); };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const durationTimer = durationS === undefined ? undefined : setTimeout(() => this.stop(), durationS * 1000);
    if (!this.stopped && arrival.kind === "closed") for (let i = 0; i < Math.min(arrival.concurrency, numRequests); i++) this.send();
    else if (!this.stopped) this.scheduleArrival();
    this.checkFinished();
    await this.finished;
    clearTimeout(durationTimer);
    signal?.removeEventListener("abort", onAbort);
    const wallS = this.now();
    if (this.startS !== null && this.endS === null) this.markEnd(wallS);
    await this.endHook;
    if (this.hookError) throw this.hookError.error;
    return { records: [...this.records].sort((a, b) => a.index - b.index), wallS, ...this.window() };
  }

  private send(): void {
    const index = this.sent++;
    this.inFlight++;
    const hooks = { now: () => this.now(), onSent: (s: number) => this.onSent(index, s), onFirstToken: (t: number) => this.onFirstToken(t) };
    void sendRequest(this.options, index, hooks, this.controller.signal).then((record) => this.onDone(record));
    if (this.sent >= this.options.numRequests) this.stop();
  }

  private scheduleArrival(): void {
    const at = this.arrivals!.next().value as number;
    this.arrivalTimer = setTimeout(() => {
      if (this.stopped) return;
      this.send();
      if (!this.stopped) this.scheduleArrival();
    }, Math.max(0, at - this.now()) * 1000);
  }

  private onSent(index: number, sentS: number): void {
    const a = this.options.arrival;
    if (a.kind === "closed" && index === a.concurrency - 1 && this.options.numRequests > a.concurrency) this.markStart(sentS);
  }

  private onFirstToken(timeS: number): void {
    if (this.firstTokenS !== null) return;
    this.firstTokenS = timeS;
    if (this.options.arrival.kind === "open" && !this.stopped) this.markStart(timeS);
  }

  private onDone(record: RequestRecord): void {
    this.records.push(record);
    this.inFlight--;
    if (this.stopped && this.startS !== null && this.endS === null) this.markEnd(Math.max(record.endS, this.startS));
    if (this.options.arrival.kind === "closed" && !this.stopped) this.send();
    this.checkFinished();
  }

  /** No new arrivals from now on. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopS = this.now();
    clearTimeout(this.arrivalTimer);
    this.checkFinished();
  }

  private checkFinished(): void {
    if (this.stopped && this.inFlight === 0) this.finish();
  }

  private invoke(hook: (() => Promise<void> | void) | undefined): Promise<void> {
    return new Promise<void>((resolve) => resolve(hook?.call(this.options))).catch((error) => {
      this.hookError ??= { error };
    });
  }

  private markStart(timeS: number): void {
    this.startS = timeS;
    this.startHook = this.invoke(this.options.onSteadyStart);
  }

  private markEnd(timeS: number): void {
    this.endS = timeS;
    this.endHook = (this.startHook ?? Promise.resolve()).then(() => this.invoke(this.options.onSteadyEnd));
  }

  private window(): Pick<LoadRun, "steady" | "steadyReason"> {
    const { arrival, numRequests } = this.options;
    const none = (steadyReason: string) => ({ steady: null, steadyReason });
    if (this.controller.signal.aborted) return none("the run was aborted: no steady state");
    if (arrival.kind === "closed" && numRequests <= arrival.concurrency) {
      return none(`num_requests ${numRequests} ≤ concurrency ${arrival.concurrency}: no steady state; use num_requests ≥ 2 × concurrency (${2 * arrival.concurrency})`);
    }
    if (this.startS === null) {
      return none(this.firstTokenS === null
        ? "no request produced a token: no steady state"
        : `the first token came at ${fmt(this.firstTokenS)} s, after the last arrival at ${fmt(this.stopS ?? 0)} s: no steady state; use more requests, a higher request rate or a longer duration`);
    }
    if (this.endS === null || !(this.endS > this.startS)) {
      return none(`the steady window from ${fmt(this.startS)} s has length 0: no steady state; use more requests`);
    }
    const steady = { startS: this.startS, endS: this.endS };
    return arrival.kind === "closed"
      ? { steady, steadyReason: `closed loop: from request ${arrival.concurrency} sent (${arrival.concurrency} in flight, ${fmt(steady.startS)} s) until the first request ended after the last was sent (${fmt(steady.endS)} s)` }
      : { steady, steadyReason: `open loop: from the first token (${fmt(steady.startS)} s) until the first request ended after arrivals stopped (${fmt(steady.endS)} s)` };
  }
}
