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

test("inside a kernel, one bundle per call; charts load plotly.js from its CDN instead of carrying it", () => {
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
  for (const chart of [first!, second!]) {
    const html = String(chart["text/html"]);
    assert.ok(html.length < 5_000, "no chart carries the 4.8 MB bundle");
    assert.match(html, /var url = "https:\/\/cdn\.jsdelivr\.net\/npm\/plotly\.js-dist-min@\d+\.\d+\.\d+\/plotly\.min\.js"/);
    assert.match(html, /window\.Plotly\.newPlot\(el/);
  }
  assert.equal(table!["text/plain"], "model  energyJ\n    a      1.5");
  assert.match(String(table!["text/html"]), /<table class="wattlab-table">/);
});
