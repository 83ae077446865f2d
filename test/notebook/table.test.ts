// Tables from records or a danfo DataFrame, as text and HTML.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { tableHtml, tableText, toTable } from "../../src/notebook/table.js";

test("records become aligned text with every column, numbers to 6 significant digits", () => {
  const text = tableText(toTable([{ batch: 1, energyJ: 12.3456789 }, { batch: 16, energyJ: 3, note: "<fast>" }]));
  assert.equal(text, "batch  energyJ    note\n    1  12.3457\n   16        3  <fast>");
});

test("long tables show head and tail; HTML escapes cells", () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ i, tag: i === 0 ? "<b>" : "x" }));
  const text = tableText(toTable(records), { maxRows: 4 });
  assert.deepEqual(text.split("\n").map((l) => l.trim()), ["i  tag", "0  <b>", "1    x", "…    …", "8    x", "9    x", "[10 rows × 2 columns]"]);
  const html = tableHtml(toTable(records), { maxRows: 4, caption: "runs" });
  assert.match(html, /<caption>runs<\/caption>/);
  assert.match(html, /<td>&lt;b&gt;<\/td>/);
  assert.equal(html.match(/<tr>/g)!.length, 6);
});

test("a danfo DataFrame shows its index and columns", () => {
  const dfd = createRequire(import.meta.url)("danfojs-node");
  const frame = new dfd.DataFrame([{ model: "a", powerW: 250.5 }, { model: "b", powerW: 300 }]);
  assert.equal(tableText(toTable(frame)), "   model  powerW\n0      a   250.5\n1      b     300");
  assert.throws(() => toTable({} as never), /expected an array of records or a danfo DataFrame/);
});
