// Text of a token stream, one token at a time: each token's text is what decoding a few tokens before it plus the
// token adds to decoding those few tokens alone (a token may change how the previous ones read, e.g. a leading
// space), and a token that leaves an incomplete character (U+FFFD at the end) adds nothing until the next
// completes it. Special tokens are left out.

export interface Decoder {
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
}

/** How many tokens before the new one are decoded with it for context. */
const CONTEXT_TOKENS = 6;

export class IncrementalText {
  private readonly ids: number[] = [];
  /** Tokens whose text has been given out. */
  private emitted = 0;

  constructor(private readonly decoder: Decoder) {}

  /** The text `token` adds (possibly ""). */
  push(token: number): string {
    this.ids.push(token);
    const from = Math.max(0, this.emitted - CONTEXT_TOKENS);
    const before = this.decode(this.ids.slice(from, this.emitted));
    const after = this.decode(this.ids.slice(from));
    if (after.endsWith("\uFFFD")) return "";
    this.emitted = this.ids.length;
    return after.slice(commonPrefix(before, after));
  }

  /** Whatever is still held back (an incomplete character at the end of the stream). */
  flush(): string {
    if (this.emitted === this.ids.length) return "";
    const from = Math.max(0, this.emitted - CONTEXT_TOKENS);
    const before = this.decode(this.ids.slice(from, this.emitted));
    const after = this.decode(this.ids.slice(from));
    this.emitted = this.ids.length;
    return after.slice(commonPrefix(before, after));
  }

  private decode(ids: number[]): string {
    return ids.length === 0 ? "" : this.decoder.decode(ids, { skipSpecialTokens: true });
  }
}

/** Length of the longest common prefix of two strings. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
