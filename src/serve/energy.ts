// Energy per request on a server that runs many at once.
//
// The attribution rule. While any request is active (from its arrival to its last token) the server keeps one
// rolling meter window, a "segment": a segment ends, and the next begins at the same instant, when a request
// finishes, and otherwise every `segmentMs` (250 ms by default). Each segment's energy — the meter's total energy
// (totalEnergyJ: every metered device, idle power included; wattlab serve takes no idle baseline) — is split among
// the requests that the model processed tokens for during it, in proportion to those tokens: a request's prompt
// tokens count in the step that made its first token (its prefill), then one token per decode step. A segment in
// which no tokens were processed (waiting, loading) carries its energy into the next segment's split; what is still
// carried when the server falls idle is counted as unattributed. So the energies of the requests of one busy period
// add up to the energy of its segments, less only that unattributed remainder.
import type { FigureSource, WindowMeasurement } from "../meter/types.js";
import { isBelowResolution, updatesSpanned, type ChannelResolution } from "../meter/resolution.js";

/** What the ledger needs of src/meter's Meter. */
export interface SegmentMeter {
  begin(name: string, at?: { atMs?: number }): Promise<void>;
  end(name: string, at?: { atMs?: number }): Promise<WindowMeasurement>;
  nowMs(): number;
  resolution(): { channels: ChannelResolution[] };
}

export type EnergySource = "measured" | "estimated" | "none";

export interface RequestEnergy {
  /** The request's share of its segments' energy; null without a meter or where a segment could not be read. Units: J. */
  energyJ: number | null;
  source: EnergySource;
  /** Updates of the slowest energy counter the request's span covered; null where no period is known. */
  counterUpdates: number | null;
  /** The span covered fewer than MIN_RESOLVED_UPDATES counter updates: energyJ reads the counter's steps as much as the work. */
  belowResolution: boolean | null;
}

export interface EnergyTotals {
  segments: number;
  /** Sum of the segments' totalEnergyJ. Units: J. */
  segmentsJ: number;
  /** Handed to requests. Units: J. */
  attributedJ: number;
  /** Carried by token-less segments when the server fell idle. Units: J. */
  unattributedJ: number;
  /** Segments the meter failed to read. */
  failedSegments: number;
}

interface Segment {
  name: string;
  /** Tokens processed per request id. */
  tokens: Map<string, number>;
}

interface Account {
  energyJ: number;
  startMs: number;
  sources: Set<FigureSource>;
  unknown: boolean;
}

const NO_ENERGY: RequestEnergy = { energyJ: null, source: "none", counterUpdates: null, belowResolution: null };

export class EnergyLedger {
  private current: Segment | null = null;
  private readonly accounts = new Map<string, Account>();
  /** Requests started and not yet finished (accounts outlive them until their last segment is split). */
  private readonly active = new Set<string>();
  /** Meter calls run one after another, in the order the segments were cut. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private carriedJ = 0;
  private serial = 0;
  private readonly sums: EnergyTotals = { segments: 0, segmentsJ: 0, attributedJ: 0, unattributedJ: 0, failedSegments: 0 };

  constructor(private readonly meter: SegmentMeter | null, private readonly segmentMs = 250, private readonly warn: (message: string) => void = () => undefined) {}

  /** A request became active (arrived); opens a segment when none is open. */
  start(id: string): void {
    if (!this.meter) return;
    const atMs = this.meter.nowMs();
    this.accounts.set(id, { energyJ: 0, startMs: atMs, sources: new Set(), unknown: false });
    this.active.add(id);
    if (this.current) return;
    const segment = this.newSegment();
    this.current = segment;
    this.enqueue(() => this.meter!.begin(segment.name, { atMs }));
    this.timer = setInterval(() => this.cut(true), this.segmentMs);
    this.timer.unref();
  }

  /** The model processed `tokens` tokens for request `id` (see the rule above). */
  work(id: string, tokens: number): void {
    if (!this.current || !this.active.has(id)) return;
    this.current.tokens.set(id, (this.current.tokens.get(id) ?? 0) + tokens);
  }

  /** The request is done: the segment ends here; resolves with the request's energy once every segment it was in is split. */
  async finish(id: string): Promise<RequestEnergy> {
    const account = this.accounts.get(id);
    if (!this.meter || !account) return NO_ENERGY;
    const endMs = this.meter.nowMs();
    this.active.delete(id);
    this.cut(this.active.size > 0);
    await this.chain;
    this.accounts.delete(id);
    const counterUpdates = updatesSpanned((endMs - account.startMs) / 1000, this.meter.resolution().channels);
    const source = sourceOf(account.sources);
    return {
      energyJ: account.unknown || source === "none" ? null : account.energyJ,
      source,
      counterUpdates,
      belowResolution: counterUpdates === null ? null : isBelowResolution(counterUpdates),
    };
  }

  totals(): EnergyTotals {
    return { ...this.sums };
  }

  /** Waits for the meter calls under way; a segment still open is dropped unmeasured. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
  }

  private newSegment(): Segment {
    return { name: `wattlab-serve:segment#${++this.serial}`, tokens: new Map() };
  }

  /** Ends the open segment now and, when `reopen`, begins the next at the same instant. */
  private cut(reopen: boolean): void {
    const closing = this.current;
    if (!closing || !this.meter) return;
    const atMs = this.meter.nowMs();
    const next = reopen ? this.newSegment() : null;
    this.current = next;
    if (!next && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.enqueue(async () => {
      const [measured] = await Promise.all([
        this.meter!.end(closing.name, { atMs }).catch((error: unknown) => error instanceof Error ? error : new Error(String(error))),
        next ? this.meter!.begin(next.name, { atMs }) : undefined,
      ]);
      if (measured instanceof Error) this.lose(closing, measured);
      else this.split(closing, measured);
      if (!next) this.fallIdle();
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => this.warn(`wattlab serve: the meter failed: ${(error as Error)?.message ?? String(error)}`));
  }

  /** Splits a segment's energy (plus what earlier token-less segments carried) by the tokens processed in it. */
  private split(segment: Segment, measured: WindowMeasurement): void {
    this.sums.segments++;
    this.sums.segmentsJ += measured.totalEnergyJ;
    const pool = measured.totalEnergyJ + this.carriedJ;
    const total = [...segment.tokens.values()].reduce((a, b) => a + b, 0);
    if (total === 0) {
      this.carriedJ = pool;
      return;
    }
    this.carriedJ = 0;
    this.sums.attributedJ += pool;
    for (const [id, tokens] of segment.tokens) {
      const account = this.accounts.get(id);
      if (!account) continue;
      account.energyJ += (pool * tokens) / total;
      for (const source of Object.values(measured.sources)) account.sources.add(source);
    }
  }

  /** A segment the meter could not read: its requests' energies become unknown. */
  private lose(segment: Segment, error: Error): void {
    this.sums.failedSegments++;
    this.warn(`wattlab serve: a segment's energy could not be read (${error.message}); its requests report energy_j null`);
    for (const id of segment.tokens.keys()) {
      const account = this.accounts.get(id);
      if (account) account.unknown = true;
    }
  }

  private fallIdle(): void {
    this.sums.unattributedJ += this.carriedJ;
    this.carriedJ = 0;
  }
}

/** "estimated" when any device's figure was, "measured" when any was read from a counter or integrated power, else "none". */
export function sourceOf(sources: ReadonlySet<FigureSource>): EnergySource {
  if (sources.has("estimated")) return "estimated";
  if (sources.has("counter") || sources.has("integrated")) return "measured";
  return "none";
}
