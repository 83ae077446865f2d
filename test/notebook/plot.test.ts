// Plot files: standalone HTML beside one shared plotly.min.js; embedded JSON that HTML and Plotly accept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPlot, figureJson, findChromium, plotDivHtml, plotlyBundlePath, plotSummary } from "../../src/notebook/plot.js";

const figure = {
  data: [{ type: "scatter", x: new Float64Array([1, 2, 3]), y: [0.5, NaN, 2] }, { type: "bar", x: ["a"], y: [1] }],
  layout: { title: { text: "Energy </script> per token" } },
};

test("figure JSON turns typed arrays into arrays, gaps into null, and cannot close a script tag", () => {
  const json = figureJson(figure);
  assert.ok(!json.includes("</script"));
  const parsed = JSON.parse(json);
  assert.deepEqual(parsed.data[0].x, [1, 2, 3]);
  assert.deepEqual(parsed.data[0].y, [0.5, null, 2]);
  assert.equal(plotSummary(figure), 'Plotly figure: 2 traces (scatter, bar); title "Energy </script> per token"');
  assert.match(plotDivHtml(figure), /getElementById\("wattlab-plot-[0-9a-f]{12}"\); el\.innerHTML = ""; window\.Plotly\.newPlot\(el,/);
  const inNotebook = plotDivHtml(figure, { loadFrom: "https://cdn.example/plotly.min.js", fallbackPng: "iVBORw0KGgo=" });
  assert.match(inNotebook, /<img alt="Plotly figure: 2 traces[^"]*" style="max-width:100%" src="data:image\/png;base64,iVBORw0KGgo=">/, "the PNG shows until plotly.js loads");
  assert.match(inNotebook, /var url = "https:\/\/cdn\.example\/plotly\.min\.js"/);
  assert.ok(inNotebook.length < 5_000, "plotly.js is loaded, not embedded");
});

test("exportPlot writes name.html referencing one plotly.min.js copy in its folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-fig-"));
  try {
    const first = exportPlot(figure, join(dir, "figures", "energy"));
    const second = exportPlot(figure, join(dir, "figures", "power.html"));
    assert.equal(first.htmlPath, join(dir, "figures", "energy.html"));
    assert.equal(second.htmlPath, join(dir, "figures", "power.html"));
    const html = readFileSync(first.htmlPath, "utf8");
    assert.match(html, /<script src="plotly.min.js"><\/script>/);
    assert.ok(html.length < 10_000, "the bundle is referenced, not inlined");
    assert.equal(statSync(join(dir, "figures", "plotly.min.js")).size, statSync(plotlyBundlePath()).size);
    if (findChromium()) assert.ok(first.pngPath && existsSync(first.pngPath), "Chromium is here, so a PNG is expected");
    else assert.equal(first.pngPath, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
