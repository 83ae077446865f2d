// Rich output for notebooks: showPlot and showTable. Inside the wattlab (tslab) kernel they display a mime bundle;
// in plain Node they print text (and showPlot still writes its files), so analysis scripts can call them too.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { displayBundle, insideKernel } from "./tslab-display.js";
import { exportPlot, plotDivHtml, plotlyCdnUrl, plotSummary, figureJson, type ExportedPlot, type PlotFigure } from "./plot.js";
import { tableHtml, tableText, toTable, type TableLike, type TableOptions } from "./table.js";

export interface ShowPlotOptions {
  /** Also write `<exportTo>.html` and, where Chromium exists, `<exportTo>.png`; e.g. "../results/figures/energy". */
  exportTo?: string;
}

/** Show a Plotly figure (`{ data, layout }`) in the notebook, optionally exporting it as HTML and PNG. */
export function showPlot(figure: PlotFigure, options: ShowPlotOptions = {}): void {
  const exported: ExportedPlot | undefined = options.exportTo ? exportPlot(figure, options.exportTo) : undefined;
  const saved = exported ? `; saved ${[exported.htmlPath, exported.pngPath].filter(Boolean).map((p) => relative(process.cwd(), p!)).join(", ")}` : "";
  const text = plotSummary(figure) + saved;
  if (!insideKernel()) {
    console.log(text);
    return;
  }
  // Renderers: VS Code and JupyterLab with plotly's extension draw the plotly JSON; elsewhere the HTML loads
  // plotly.js from its CDN and draws the same figure; static viewers and offline pages show the PNG.
  const png = exported?.pngPath ? readFileSync(exported.pngPath).toString("base64") : null;
  const html = plotDivHtml(figure, { loadFrom: plotlyCdnUrl(), fallbackPng: png });
  const bundle: Record<string, unknown> = {
    "application/vnd.plotly.v1+json": JSON.parse(figureJson({ data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} })),
    "text/html": html,
    "text/plain": text,
  };
  if (png) bundle["image/png"] = png;
  displayBundle(bundle);
}

/** Show a danfo DataFrame or an array of records as an HTML table (plain text outside a kernel). */
export function showTable(table: TableLike, options: TableOptions = {}): void {
  const normal = toTable(table);
  const text = tableText(normal, options);
  if (!displayBundle({ "text/html": tableHtml(normal, options), "text/plain": text })) console.log(text);
}
