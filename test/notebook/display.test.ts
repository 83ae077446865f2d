// showPlot and showTable send one multi-mime display through the running tslab kernel's writer;
// the plotly.js bundle goes out with the first chart only. Outside a kernel they print text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { showPlot, showTable } from "../../src/notebook/display.js";
import { requireFromTslab } from "../../src/notebook/paths.js";

type Sent = { data: Record<string, unknown>; metadata: object; transient: object };

function captureConsole(run: () => void): string {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    run();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

const figure = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: "Power" } };

test("outside a kernel, showPlot and showTable print text", () => {
  assert.equal(captureConsole(() => showPlot(figure)), 'Plotly figure: 1 trace (bar); title "Power"');
  assert.equal(captureConsole(() => showTable([{ a: 1 }])), "a\n1");
});

test("inside a kernel, one bundle per call, with the plotly.js loader only in the first chart", () => {
  // What tslab's executor and an execute request set up in a kernel process.
  const jupyter = requireFromTslab()("./dist/jupyter.js") as { lastWriteDisplayData: unknown };
  const sent: Sent[] = [];
  (globalThis as { __tslab__?: object }).__tslab__ = {};
  jupyter.lastWriteDisplayData = (data: Sent, update: boolean) => {
    assert.equal(update, false);
    sent.push(data);
  };
  try {
    showPlot(figure);
    showPlot(figure);
    showTable([{ model: "a", energyJ: 1.5 }]);
  } finally {
    delete (globalThis as { __tslab__?: object }).__tslab__;
    jupyter.lastWriteDisplayData = null;
  }
  assert.equal(sent.length, 3);
  const [first, second, table] = sent.map((s) => s.data);
  assert.deepEqual(Object.keys(first!).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  assert.deepEqual(first!["application/vnd.plotly.v1+json"], { data: figure.data, layout: figure.layout, config: {} });
  assert.ok(String(first!["text/html"]).length > 1_000_000, "the first chart carries plotly.js");
  assert.ok(String(second!["text/html"]).length < 5_000, "later charts only draw");
  assert.match(String(second!["text/html"]), /Plotly\.newPlot/);
  assert.equal(table!["text/plain"], "model  energyJ\n    a      1.5");
  assert.match(String(table!["text/html"]), /<table class="wattlab-table">/);
});
