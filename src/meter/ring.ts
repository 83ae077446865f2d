// A SharedArrayBuffer ring of power samples: the worker writes rows, the main thread reads without a message.
// Row layout: [tMs, watts of channel 0, …]; NaN where a channel had no reading.

export interface RingBuffers {
  /** Int32 [0]: rows written so far (monotonic). */
  header: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  capacity: number;
  /** 1 + number of channels. */
  stride: number;
}

export function createRing(capacity: number, channelCount: number): RingBuffers {
  const stride = 1 + channelCount;
  return {
    header: new SharedArrayBuffer(8),
    rows: new SharedArrayBuffer(capacity * stride * Float64Array.BYTES_PER_ELEMENT),
    capacity,
    stride,
  };
}

export class RingWriter {
  private readonly count: Int32Array;
  private readonly rows: Float64Array;
  constructor(private readonly ring: RingBuffers) {
    this.count = new Int32Array(ring.header);
    this.rows = new Float64Array(ring.rows);
  }

  push(tMs: number, watts: ArrayLike<number>): void {
    const written = Atomics.load(this.count, 0);
    const offset = (written % this.ring.capacity) * this.ring.stride;
    this.rows[offset] = tMs;
    for (let i = 0; i < watts.length; i++) this.rows[offset + 1 + i] = watts[i];
    // Publish after the row is complete.
    Atomics.store(this.count, 0, written + 1);
  }
}

export class RingReader {
  private readonly count: Int32Array;
  private readonly rows: Float64Array;
  constructor(private readonly ring: RingBuffers) {
    this.count = new Int32Array(ring.header);
    this.rows = new Float64Array(ring.rows);
  }

  get written(): number {
    return Atomics.load(this.count, 0);
  }

  /** Rows with fromMs ≤ tMs ≤ toMs, oldest first. The oldest slot is skipped: the writer may be refilling it. */
  read(fromMs = -Infinity, toMs = Infinity): { tMs: number; watts: number[] }[] {
    const written = this.written;
    const first = Math.max(0, written - this.ring.capacity + 1);
    const out: { tMs: number; watts: number[] }[] = [];
    for (let row = first; row < written; row++) {
      const offset = (row % this.ring.capacity) * this.ring.stride;
      const tMs = this.rows[offset];
      if (tMs < fromMs || tMs > toMs) continue;
      out.push({ tMs, watts: Array.from(this.rows.subarray(offset + 1, offset + this.ring.stride)) });
    }
    return out;
  }
}
