// Prompts of an exact token count from real text: samples joined with "\n\n" (cycling when short),
// tokenized once, truncated at token level. The input-length sweep needs n exactly, not about n.
import { SeededRandom } from "../util/rng.js";

/** What exact-length prompts need from a tokenizer (WattlabTokenizer has it). */
export interface ExactLengthTokenizer {
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  readonly bosTokenId: number | null;
  readonly addBos: boolean;
}

export class ExactLengthError extends Error {
  override readonly name = "ExactLengthError";
}

export interface ExactLengthOptions {
  /** Start with BOS (counted in n); default: whether the tokenizer adds it itself. */
  addBos?: boolean;
  /** Index of the first sample used; the following ones are appended in order, cycling. */
  start?: number;
}

const SEPARATOR = "\n\n";

/** Exactly n token ids built from `texts`. */
export function exactLengthIds(tokenizer: ExactLengthTokenizer, texts: readonly string[], n: number, options: ExactLengthOptions = {}): number[] {
  if (!Number.isInteger(n) || n < 1) throw new ExactLengthError(`exactLengthIds: n must be an integer ≥ 1, got ${n}`);
  const addBos = options.addBos ?? tokenizer.addBos;
  if (addBos && tokenizer.bosTokenId === null) {
    throw new ExactLengthError("exactLengthIds: addBos asked but the tokenizer has no BOS token; pass addBos: false");
  }
  const body = textTokens(tokenizer, texts, n - (addBos ? 1 : 0), options.start ?? 0);
  return addBos ? [tokenizer.bosTokenId!, ...body] : body;
}

/** `need` ids of the joined samples (no special tokens), starting at sample `start`. */
function textTokens(tokenizer: ExactLengthTokenizer, texts: readonly string[], need: number, start: number): number[] {
  if (need === 0) return [];
  if (texts.length === 0 || texts.every((t) => t.trim() === "")) {
    throw new ExactLengthError(`exactLengthIds: no text to build ${need} tokens from (${texts.length} samples, all empty)`);
  }
  let text = "";
  let used = 0;
  let charsPerToken = 4; // a first guess, refined by each encode
  for (let attempt = 0; attempt < 64; attempt++) {
    // Join enough text for the estimate plus a margin, so that one or two encodes suffice.
    const targetChars = Math.ceil(need * charsPerToken * 1.25) + 32;
    while (text.length < targetChars) {
      text += (used > 0 ? SEPARATOR : "") + texts[(start + used) % texts.length];
      used++;
    }
    const ids = tokenizer.encode(text, { addSpecialTokens: false });
    if (ids.length >= need) return ids.slice(0, need);
    charsPerToken = Math.max(charsPerToken, text.length / Math.max(ids.length, 1)) * 1.5;
  }
  throw new ExactLengthError(`exactLengthIds: ${text.length} characters of text gave fewer than ${need} tokens`);
}

/**
 * `batch` prompts of exactly n ids each, different from row to row: the samples are shuffled with
 * `seed` and row r starts at its own sample; rows beyond the sample count also start r / samples tokens later.
 */
export function exactLengthBatch(tokenizer: ExactLengthTokenizer, texts: readonly string[], n: number, batch: number, seed: number,
  options: Omit<ExactLengthOptions, "start"> = {}): number[][] {
  if (!Number.isInteger(batch) || batch < 1) throw new ExactLengthError(`exactLengthBatch: batch must be an integer ≥ 1, got ${batch}`);
  const order = texts.map((_, i) => i);
  const rng = new SeededRandom(seed, "exact-length-batch");
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const shuffled = order.map((i) => texts[i]);
  const addBos = options.addBos ?? tokenizer.addBos;
  if (addBos && tokenizer.bosTokenId === null) {
    throw new ExactLengthError("exactLengthBatch: addBos asked but the tokenizer has no BOS token; pass addBos: false");
  }
  return Array.from({ length: batch }, (_, r) => {
    const start = texts.length > 0 ? r % texts.length : 0;
    const skip = texts.length > 0 ? Math.floor(r / texts.length) : 0;
    if (skip === 0) return exactLengthIds(tokenizer, shuffled, n, { addBos, start });
    const longer = exactLengthIds(tokenizer, shuffled, n + skip, { addBos: false, start }).slice(skip);
    return addBos ? [tokenizer.bosTokenId!, ...longer.slice(0, n - 1)] : longer;
  });
}
