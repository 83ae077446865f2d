// Left-padded batches for a decoder: input ids, attention mask and position ids for the prefill and for
// each cached decode step, in the integer type the model takes. Positions follow Hugging Face:
// cumsum(mask) - 1, with pads set to 1.

export type IdType = "int32" | "int64";
export type IdArray = Int32Array | BigInt64Array;

export function idArray(type: IdType, length: number): IdArray {
  return type === "int64" ? new BigInt64Array(length) : new Int32Array(length);
}

function fill(array: IdArray, index: number, value: number): void {
  if (array instanceof BigInt64Array) array[index] = BigInt(value);
  else array[index] = value;
}

/** A left-padded prompt batch plus the state a decode step grows from. */
export class LeftPaddedBatch {
  readonly batch: number;
  /** Prompt length after padding (the longest prompt). */
  readonly promptLength: number;
  /** Real prompt tokens per row. */
  readonly lengths: readonly number[];

  constructor(readonly promptIds: readonly (readonly number[])[], readonly padId: number) {
    if (promptIds.length === 0) throw new Error("promptIds is empty: a batch needs at least one prompt");
    promptIds.forEach((row, i) => { if (row.length === 0) throw new Error(`promptIds[${i}] is empty: every prompt needs a token`); });
    this.batch = promptIds.length;
    this.lengths = promptIds.map((row) => row.length);
    this.promptLength = Math.max(...this.lengths);
  }

  get padded(): boolean {
    return this.lengths.some((n) => n !== this.promptLength);
  }

  /** input_ids [batch, promptLength]: pads first, then the prompt. */
  prefillIds(type: IdType): IdArray {
    const out = idArray(type, this.batch * this.promptLength);
    for (let r = 0; r < this.batch; r++) {
      const pad = this.promptLength - this.lengths[r];
      for (let j = 0; j < this.promptLength; j++) fill(out, r * this.promptLength + j, j < pad ? this.padId : this.promptIds[r][j - pad]);
    }
    return out;
  }

  /** attention_mask [batch, promptLength + steps]: 0 on pads, 1 on prompt tokens and on every generated position. */
  mask(type: IdType, steps: number): IdArray {
    const width = this.promptLength + steps;
    const out = idArray(type, this.batch * width);
    const one = type === "int64" ? 1n : 1;
    for (let r = 0; r < this.batch; r++) {
      const pad = this.promptLength - this.lengths[r];
      (out as { fill(v: number | bigint, s: number, e: number): unknown }).fill(one, r * width + pad, (r + 1) * width);
    }
    return out;
  }

  /** position_ids [batch, promptLength]: 0.. over the real tokens, 1 on pads (as Hugging Face's generate). */
  prefillPositions(type: IdType): IdArray {
    const out = idArray(type, this.batch * this.promptLength);
    for (let r = 0; r < this.batch; r++) {
      const pad = this.promptLength - this.lengths[r];
      for (let j = 0; j < this.promptLength; j++) fill(out, r * this.promptLength + j, j < pad ? 1 : j - pad);
    }
    return out;
  }

  /** position_ids [batch, 1] of decode step `step` (1-based: the first generated token is fed at step 1). */
  decodePositions(type: IdType, step: number): IdArray {
    const out = idArray(type, this.batch);
    for (let r = 0; r < this.batch; r++) fill(out, r, this.lengths[r] - 1 + step);
    return out;
  }

  /** input_ids [batch, 1] of a decode step. */
  decodeIds(type: IdType, tokens: readonly number[]): IdArray {
    const out = idArray(type, this.batch);
    for (let r = 0; r < this.batch; r++) fill(out, r, tokens[r]);
    return out;
  }
}
