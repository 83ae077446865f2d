// The `synthetic` dataset, as ML.ENERGY builds fixed-length inputs: random token ids (seeded) decoded to
// text, so the prompt is real text for the tokenizer and is re-tokenized to the exact length afterwards.
import { SeededRandom } from "../util/rng.js";

export interface SyntheticTokenizer {
  readonly vocabSize: number;
  readonly bosTokenId?: number | null;
  readonly eosTokenIds?: readonly number[];
  readonly padTokenId?: number | null;
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
}

export interface SyntheticOptions {
  /** How many texts. */
  count: number;
  /** Random ids drawn per text (the re-tokenized length differs a little; exact length is fitted later). */
  tokensPerText: number;
  seed: number;
  /** Ids never drawn besides BOS/EOS/pad (e.g. control tokens). */
  excludeIds?: readonly number[];
}

/** Same tokenizer, options and seed → same texts, on every machine. */
export function syntheticTexts(tokenizer: SyntheticTokenizer, options: SyntheticOptions): string[] {
  const excluded = new Set<number>(options.excludeIds ?? []);
  if (tokenizer.bosTokenId != null) excluded.add(tokenizer.bosTokenId);
  if (tokenizer.padTokenId != null) excluded.add(tokenizer.padTokenId);
  for (const id of tokenizer.eosTokenIds ?? []) excluded.add(id);
  if (excluded.size >= tokenizer.vocabSize) throw new Error(`synthetic prompts: every id of the ${tokenizer.vocabSize}-token vocabulary is excluded`);
  const texts: string[] = [];
  for (let t = 0; t < options.count; t++) {
    // One stream per text so text t does not depend on how many came before it.
    const rng = new SeededRandom(options.seed, `synthetic#${t}`);
    const ids: number[] = [];
    while (ids.length < options.tokensPerText) {
      const id = rng.nextUint32() % tokenizer.vocabSize;
      if (!excluded.has(id)) ids.push(id);
    }
    // Special tokens are skipped when decoding so that re-encoding cannot turn their text into control ids.
    texts.push(tokenizer.decode(ids, { skipSpecialTokens: true }));
  }
  return texts;
}
