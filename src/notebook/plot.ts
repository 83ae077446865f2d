// Plotly figures as notebook outputs and as files.
// In a notebook, one display carries: application/vnd.plotly.v1+json (JupyterLab with the plotly extension and VS
// Code draw it), text/html (classic Notebook and JupyterLab without the extension), image/png when Chromium made
// one (GitHub and other static viewers), and text/plain. The 4.8 MB plotly.js bundle is not embedded: the HTML
// loads it from a CDN when the page can, and shows the PNG where it cannot, so executed notebooks stay small.
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";

export interface PlotFigure {
  data: object[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface ExportedPlot {
  htmlPath: string;
  /** null where no Chromium was found or it failed; the HTML is written regardless. */
  pngPath: string | null;
}

const defaultSize = { width: 900, height: 500 };

export function plotlyBundlePath(): string {
  return createRequire(import.meta.url).resolve("plotly.js-dist-min");
}

/** JSON safe to embed in a <script>: typed arrays become arrays, NaN and ±Infinity null (a gap, for Plotly). */
export function figureJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, item) => {
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) return Array.from(item as unknown as ArrayLike<number | bigint>, Number);
    if (typeof item === "number" && !Number.isFinite(item)) return null;
    if (typeof item === "bigint") return Number(item);
    return item;
  });
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** "2 traces (scatter, bar); title "Energy per token"". */
export function plotSummary(figure: PlotFigure): string {
  const types = figure.data.map((trace) => String((trace as { type?: string }).type ?? "scatter"));
  const title = figure.layout?.title;
  const titleText = typeof title === "string" ? title : (title as { text?: string } | undefined)?.text;
  return `Plotly figure: ${types.length} trace${types.length === 1 ? "" : "s"} (${types.join(", ")})${titleText ? `; title "${titleText}"` : ""}`;
}

/** Where a notebook's HTML output loads plotly.js from: the exact version wattlab depends on, from npm's CDN. */
export function plotlyCdnUrl(): string {
  const version = JSON.parse(readFileSync(join(dirname(plotlyBundlePath()), "package.json"), "utf8")).version as string;
  return `https://cdn.jsdelivr.net/npm/plotly.js-dist-min@${version}/plotly.min.js`;
}

/**
 * A div and the call that draws `figure` into it as soon as Plotly is there. Standalone pages load Plotly
 * themselves; in a notebook (`loadFrom` set) the script fetches plotly.js once per page from `loadFrom` (through
 * require.js under classic Notebook), and until then, or where scripts do not run (an untrusted notebook, a
 * static viewer, no network), the div shows `fallbackPng`.
 */
export function plotDivHtml(figure: PlotFigure, options: { loadFrom?: string; fallbackPng?: string | null } = {}): string {
  const id = "wattlab-plot-" + randomBytes(6).toString("hex");
  const height = Number(figure.layout?.height ?? defaultSize.height);
  const spec = figureJson({ data: figure.data, layout: figure.layout ?? {}, config: { responsive: true, ...figure.config } });
  const alt = plotSummary(figure).replace(/["<&]/g, "");
  const fallback = options.fallbackPng ? `<img alt="${alt}" style="max-width:100%" src="data:image/png;base64,${options.fallbackPng}">` : "";
  const load = options.loadFrom === undefined ? "" : [
    `  var url = ${JSON.stringify(options.loadFrom)};`,
    "  function loaded(P) { window.Plotly = window.Plotly || P; (window.__wattlabPlotlyQueue || []).splice(0).forEach(function (f) { f(); }); }",
    "  if (!window.__wattlabPlotlyLoading) {",
    "    window.__wattlabPlotlyLoading = true;",
    "    if (typeof window.requirejs === 'function') { window.requirejs.config({ paths: { wattlabPlotly: url.replace(/\\.js$/, '') } }); window.requirejs(['wattlabPlotly'], loaded); }",
    "    else { var s = document.createElement('script'); s.src = url; s.onload = function () { loaded(window.Plotly); }; document.head.appendChild(s); }",
    "  }",
    "",
  ].join("\n");
  return (
    `<div id="${id}" class="wattlab-plot" style="width:100%;min-height:${height}px;">${fallback}</div>\n` +
    '<script type="text/javascript">\n(function () {\n' +
    `  var figure = ${spec};\n` +
    `  function draw() { var el = document.getElementById("${id}"); el.innerHTML = ""; window.Plotly.newPlot(el, figure.data, figure.layout, figure.config); }\n` +
    "  if (window.Plotly) { draw(); return; }\n" +
    "  (window.__wattlabPlotlyQueue = window.__wattlabPlotlyQueue || []).push(draw);\n" +
    load +
    "})();\n</script>\n"
  );
}

/** A page showing `figure`, loading plotly.js from `plotlySrc` (relative to the page). */
export function standaloneHtml(figure: PlotFigure, plotlySrc: string): string {
  const title = plotSummary(figure).replace(/[<&]/g, "");
  const layout = { ...defaultSize, ...figure.layout };
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title>\n` +
    `<script src="${plotlySrc}"></script></head>\n<body style="margin:0">\n` +
    // no mode bar: it would sit over the title in the PNG made from this page
    plotDivHtml({ ...figure, layout, config: { responsive: false, displayModeBar: false, ...figure.config } }) +
    "</body></html>\n"
  );
}

/**
 * Write `<exportTo>.html` (beside one shared copy of plotly.min.js in the same folder) and, where Chromium exists,
 * `<exportTo>.png`. `exportTo` is a path without extension, relative to the process cwd (a notebook's folder).
 */
export function exportPlot(figure: PlotFigure, exportTo: string): ExportedPlot {
  const base = resolve(exportTo.replace(/\.(html|png)$/, ""));
  mkdirSync(dirname(base), { recursive: true });
  const bundle = plotlyBundlePath();
  const copy = join(dirname(base), "plotly.min.js");
  if (!existsSync(copy) || statSync(copy).size !== statSync(bundle).size) copyFileSync(bundle, copy);
  const htmlPath = base + ".html";
  writeFileSync(htmlPath, standaloneHtml(figure, basename(copy)));
  return { htmlPath, pngPath: screenshot(htmlPath, base + ".png", { ...defaultSize, ...figure.layout }) };
}

/** A headless-Chromium screenshot of the page; null, quietly, where there is no Chromium or it fails. */
function screenshot(htmlPath: string, pngPath: string, size: Record<string, unknown>): string | null {
  const browser = findChromium();
  if (!browser) return null;
  const result = spawnSync(
    browser,
    [
      // no network here: background fetches would only stall the start
      "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--virtual-time-budget=10000",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
      `--user-data-dir=${join(tmpdir(), `wattlab-chromium-${process.pid}`)}`,
      `--window-size=${Number(size.width)},${Number(size.height)}`, `--screenshot=${pngPath}`, pathToFileURL(htmlPath).href,
    ],
    { stdio: "ignore", timeout: 60_000 },
  );
  return result.status === 0 && existsSync(pngPath) ? pngPath : null;
}

/** $WATTLAB_CHROMIUM, else the usual Linux locations. */
export function findChromium(): string | null {
  const candidates = [process.env.WATTLAB_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((path): path is string => !!path && existsSync(path)) ?? null;
}
