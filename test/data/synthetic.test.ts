import { test } from "node:test";
import assert from "node:assert/strict";
import { syntheticTexts, type SyntheticTokenizer } from "../../src/data/synthetic.js";

/** Records the ids it is asked to decode; decodes each id as a letter. */
class RecordingTokenizer implements SyntheticTokenizer {
  readonly vocabSize = 26;
  readonly bosTokenId = 0;
  readonly eosTokenIds = [1];
  readonly padTokenId = 2;
  seen: number[] = [];
  decode(ids: readonly number[]): string {
    this.seen.push(...ids);
    return ids.map((i) => String.fromCharCode(97 + i)).join("");
  }
}

test("synthetic texts: seeded, the same for the same seed, never drawing special ids", () => {
  const tokenizer = new RecordingTokenizer();
  const a = syntheticTexts(tokenizer, { count: 3, tokensPerText: 200, seed: 5, excludeIds: [25] });
  const b = syntheticTexts(new RecordingTokenizer(), { count: 3, tokensPerText: 200, seed: 5, excludeIds: [25] });
  const c = syntheticTexts(new RecordingTokenizer(), { count: 3, tokensPerText: 200, seed: 6, excludeIds: [25] });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.every((t) => t.length === 200));
  assert.equal(new Set(a).size, 3, "texts differ from one another");
  for (const banned of [0, 1, 2, 25]) assert.ok(!tokenizer.seen.includes(banned), `id ${banned} drawn`);
  assert.equal(new Set(tokenizer.seen).size, 22, "every other id is drawn");
  // text t does not depend on how many texts were asked for
  assert.deepEqual(syntheticTexts(new RecordingTokenizer(), { count: 1, tokensPerText: 200, seed: 5, excludeIds: [25] }), a.slice(0, 1));
});
