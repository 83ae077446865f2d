import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandText, grammarProblems } from "../../src/data/grammar.js";
import { loadPromptTexts } from "../../src/data/datasets.js";
import { styledTexts } from "../../src/data/styled.js";
import { loadTokenizer } from "../../src/engine/tokenizer.js";
import { sharedPath } from "../support/shared.js";

test("look-alike texts are the same on every call and differ between the two styles", () => {
  const a = styledTexts("synthetic-instruct", 50, 7);
  assert.deepEqual(a, styledTexts("synthetic-instruct", 50, 7));
  assert.notDeepEqual(a, styledTexts("synthetic-instruct", 50, 8));
  assert.equal(new Set(a).size > 40, true, "varied");
  const math = styledTexts("synthetic-math", 50, 7);
  assert.ok(math.every((t) => /\?$/.test(t) && /\d/.test(t)), "word problems end in a question and hold numbers");
  assert.ok(a.every((t) => !/[{}]/.test(t)), "no placeholder left");
});

test("a grammar's problems are all named, and a rule that refers to itself fails fast", () => {
  const problems = grammarProblems({ start: "s", rules: { s: ["{x} {int:9-2}"], y: [] } }, "g.json");
  assert.equal(problems.length, 3);
  assert.match(problems.join("\n"), /undefined rule \{x\}/);
  assert.match(problems.join("\n"), /bad range \{int:9-2\}/);
  assert.match(problems.join("\n"), /rule "y" has no alternatives/);
  assert.throws(() => expandText({ start: "s", rules: { s: ["a {s}"] } }, 0, 0, "loop"), /deeper than/);
  const dir = mkdtempSync(join(tmpdir(), "wattlab-grammar-"));
  mkdirSync(join(dir, "synthetic"));
  writeFileSync(join(dir, "synthetic", "math.json"), JSON.stringify({ start: "s", rules: { s: ["{nope}"] } }));
  assert.throws(() => styledTexts("synthetic-math", 1, 0, dir), /undefined rule \{nope\}/);
});

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const tokenizerDir = sharedPath("fixtures/tokenizers/llama-2-7b-hf");
const alpaca = sharedPath("datasets/alpaca/alpaca_5000.json");
const gsm8k = sharedPath("datasets/gsm8k/test.jsonl");

test("look-alikes follow their dataset's token lengths (Llama-2 tokenizer; median within 35%, 90th percentile within 50%)",
  { skip: tokenizerDir.skip || alpaca.skip || gsm8k.skip }, async () => {
    const tokenizer = await loadTokenizer(tokenizerDir.path);
    const lengths = (texts: string[]) => texts.slice(0, 1000).map((t) => tokenizer.encode(t, { addSpecialTokens: false }).length);
    const p90 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.9)]; };
    for (const [real, style] of [[await loadPromptTexts("alpaca", { alpacaPath: alpaca.path }), "synthetic-instruct"], [await loadPromptTexts("gsm8k", { gsm8kPath: gsm8k.path }), "synthetic-math"]] as const) {
      const want = lengths([...real]);
      const got = lengths(styledTexts(style, 1000));
      const ratio = median(got) / median(want);
      const ratio90 = p90(got) / p90(want);
      assert.ok(ratio > 0.65 && ratio < 1.35, `${style}: median ${median(got)} tokens vs ${median(want)} (×${ratio.toFixed(2)})`);
      assert.ok(ratio90 > 0.5 && ratio90 < 1.5, `${style}: p90 ${p90(got)} tokens vs ${p90(want)} (×${ratio90.toFixed(2)})`);
    }
  });
