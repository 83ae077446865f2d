// Greedy argmax straight on the logits buffer. float16 logits stay Uint16Array bit patterns: they are
// mapped to an order-preserving integer key instead of being decoded to floats (Node 20 has no Float16Array).

/** Order-preserving key of an fp16 bit pattern (NaN excluded by the caller): bigger key, bigger float. */
export function fp16Key(bits: number): number {
  return bits & 0x8000 ? 0x10000 - bits : bits + 0x8000; // -0 and +0 share a key
}

/**
 * Index of the largest fp16 value in data[offset, offset+length), first one on ties; NaNs are skipped; -1 if all NaN.
 * Fast path: read as int16, positive floats order as their bit patterns, so one compare per element finds
 * the largest positive value; rows with no positive value (or a zero maximum, where -0 ties +0) take the
 * exact order-preserving key scan.
 */
export function argmaxFp16(data: Uint16Array, offset: number, length: number): number {
  const signed = new Int16Array(data.buffer, data.byteOffset + offset * 2, length);
  let bestBits = 0;
  let best = -1;
  for (let i = 0; i < length; i++) {
    const bits = signed[i];
    if (bits > bestBits) {
      if (bits > 0x7c00) continue; // NaN
      bestBits = bits;
      best = i;
    }
  }
  return best >= 0 ? best : argmaxFp16ByKey(data, offset, length);
}

/** The exact scan over order-preserving keys (handles negatives, zeros, ±infinity). */
function argmaxFp16ByKey(data: Uint16Array, offset: number, length: number): number {
  let best = -1;
  let bestKey = -1;
  for (let i = 0; i < length; i++) {
    const bits = data[offset + i];
    if ((bits & 0x7fff) > 0x7c00) continue; // NaN
    const key = fp16Key(bits);
    if (key > bestKey) { bestKey = key; best = i; }
  }
  return best;
}

/** Index of the largest fp32 value in data[offset, offset+length), first one on ties; NaNs are skipped; -1 if all NaN. */
export function argmaxFp32(data: Float32Array, offset: number, length: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = data[offset + i];
    if (v > bestValue) { bestValue = v; best = i; } // NaN compares false
  }
  if (best >= 0) return best;
  for (let i = 0; i < length; i++) if (data[offset + i] === -Infinity) return i; // every value -Infinity (or NaN)
  return -1;
}

/**
 * Greedy next token of every row from logits [batch, seqLen, vocab]: the argmax at each row's last
 * position (rows are left-padded, so the last position is the real last token of every row).
 */
export function argmaxLastPosition(data: Uint16Array | Float32Array, batch: number, seqLen: number, vocab: number): number[] {
  if (data.length !== batch * seqLen * vocab) {
    throw new Error(`logits hold ${data.length} values, expected batch ${batch} × seq ${seqLen} × vocab ${vocab}`);
  }
  const next = new Array<number>(batch);
  for (let row = 0; row < batch; row++) {
    const offset = (row * seqLen + seqLen - 1) * vocab;
    const id = data instanceof Uint16Array ? argmaxFp16(data, offset, vocab) : argmaxFp32(data, offset, vocab);
    if (id < 0) throw new Error(`logits of row ${row} are all NaN: the model's numbers broke down (try fp32 or another device)`);
    next[row] = id;
  }
  return next;
}
