// Serving rows (src/sweep/serving) as a table per load level and the three figures a serving study draws: energy per
// token against load, p50/p99 latency against load, and the throughput / latency / energy trade-off.
import type { PlotFigure } from "../notebook/plot.js";
import type { Cell } from "../sweep/record.js";
import { summarize, type SummaryRow } from "./results.js";

/** The figures a serving table holds per load level (mean and 95% interval over repetitions). */
export const SERVING_METRICS = [
  "j_per_output_token", "output_tokens_per_s", "avg_power_w", "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s",
  "itl_p99_s", "e2e_p99_s", "goodput_share",
] as const;

/** The load column of rows: concurrency for closed-loop rows, request_rate_per_s for open-loop ones. */
export function loadColumn(rows: readonly Record<string, Cell>[]): "concurrency" | "request_rate_per_s" {
  return rows.some((r) => r.load === "open") ? "request_rate_per_s" : "concurrency";
}

/** One row per load level (and request shape), completed rows only. */
export function servingTable(rows: readonly Record<string, Cell>[]): SummaryRow[] {
  const done = rows.filter((r) => r.state === "completed");
  return summarize(done, [loadColumn(done), "input_length", "output_length"], SERVING_METRICS);
}

/** The load column of a serving table (see loadColumn). */
const tableLoad = (table: readonly SummaryRow[]): "concurrency" | "request_rate_per_s" =>
  table.some((r) => typeof r.request_rate_per_s === "number") ? "request_rate_per_s" : "concurrency";

const LOAD_TITLE = { concurrency: "concurrent requests (closed loop)", request_rate_per_s: "request rate (requests/s, Poisson)" } as const;

function loadAxis(table: readonly SummaryRow[], x: "concurrency" | "request_rate_per_s"): Record<string, unknown> {
  const xs = [...new Set(table.map((r) => r[x]).filter((v) => typeof v === "number"))] as number[];
  return { title: { text: LOAD_TITLE[x] }, type: "log", tickmode: "array", tickvals: xs.sort((a, b) => a - b), ticktext: xs.map(String) };
}

const frame = { margin: { t: 50, r: 20, b: 55, l: 80 }, width: 760, height: 420 };

/** J per output token over each level's steady state, against load (error bars: std over repetitions). */
export function servingEnergyChart(table: readonly SummaryRow[], title = "Energy per output token under load"): PlotFigure {
  const x = tableLoad(table);
  const estimated = table.some((r) => r.j_per_output_token_estimated === true);
  return {
    data: [{ type: "scatter", mode: "lines+markers", name: "J/token", x: table.map((r) => r[x]), y: table.map((r) => r.j_per_output_token_mean),
      error_y: { type: "data", array: table.map((r) => r.j_per_output_token_std ?? 0), visible: true } }],
    layout: { title: { text: title }, xaxis: loadAxis(table, x), yaxis: { title: { text: `J per output token (steady state)${estimated ? "<br><sup>includes ESTIMATED CPU energy</sup>" : ""}` }, rangemode: "tozero" }, ...frame },
  };
}

/** Time to first token and time per output token, p50 and p99, against load, with the goodput targets drawn. */
export function servingLatencyChart(table: readonly SummaryRow[], slo?: { ttftS: number; tpotS: number }, title = "Latency under load"): PlotFigure {
  const x = tableLoad(table);
  const trace = (metric: string, name: string, dash: string, axis: string) => ({
    type: "scatter", mode: "lines+markers", name, x: table.map((r) => r[x]), y: table.map((r) => r[`${metric}_mean`]), line: { dash }, yaxis: axis,
  });
  const targets = slo ? [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: slo.ttftS, y1: slo.ttftS, line: { dash: "dot", width: 1 } }] : [];
  return {
    data: [trace("ttft_p50_s", "TTFT p50", "solid", "y"), trace("ttft_p99_s", "TTFT p99", "dash", "y"),
      trace("tpot_p50_s", "TPOT p50", "solid", "y2"), trace("tpot_p99_s", "TPOT p99", "dash", "y2")],
    layout: {
      title: { text: title }, xaxis: loadAxis(table, x), shapes: targets,
      yaxis: { title: { text: `time to first token (s)${slo ? `<br><sup>dotted: target ${slo.ttftS} s</sup>` : ""}` }, rangemode: "tozero" },
      yaxis2: { title: { text: "time per output token (s)" }, overlaying: "y", side: "right", rangemode: "tozero" }, ...frame,
    },
  };
}

/** Throughput against J/token, one point per level labelled with its load and p99 TTFT: what a level buys and costs. */
export function servingTradeoffChart(table: readonly SummaryRow[], title = "Throughput, latency and energy per level"): PlotFigure {
  const x = tableLoad(table);
  const label = (r: SummaryRow) => `${x === "concurrency" ? "c=" : ""}${r[x]}${x === "concurrency" ? "" : "/s"}, p99 TTFT ${typeof r.ttft_p99_s_mean === "number" ? r.ttft_p99_s_mean.toFixed(2) : "–"} s`;
  return {
    data: [{ type: "scatter", mode: "lines+markers+text", textposition: "top center", x: table.map((r) => r.output_tokens_per_s_mean),
      y: table.map((r) => r.j_per_output_token_mean), text: table.map(label), name: "levels" }],
    layout: { title: { text: title }, xaxis: { title: { text: "output tokens/s (steady state)" }, rangemode: "tozero" },
      yaxis: { title: { text: "J per output token" }, rangemode: "tozero" }, ...frame },
  };
}
