// Shorthand properties are written out so tslab rewrites earlier cells' variables inside them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expandShorthandProperties } from "../../src/notebook/shorthand.js";

test("object literal and assignment-pattern shorthands expand; declarations and strings stay", () => {
  assert.equal(expandShorthandProperties("console.log({ a, b: 2, c });"), "console.log({ a: a, b: 2, c: c });");
  assert.equal(expandShorthandProperties("({ x = 1 } = o);"), "({ x: x = 1 } = o);");
  const untouched = 'const { a, b } = o;\nconst s = "{ a }";\nfunction f({ q }: { q: number }) { return q; }';
  assert.equal(expandShorthandProperties(untouched), untouched);
});
