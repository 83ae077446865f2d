// Plotly figures from summarized results: one function per chart shape the notebooks use, so every
// notebook draws energy the same way (error bars = std over repetitions).
import type { PlotFigure } from "../notebook/plot.js";
import type { SummaryRow } from "./results.js";

export interface SeriesChartOptions {
  x: string;
  /** Base metric name; reads `<y>_mean` and `<y>_std` from summary rows. */
  y: string;
  /** One trace per value of this column. */
  group?: string;
  title: string;
  xTitle?: string;
  yTitle?: string;
  /** Categorical x (e.g. quantization) draws bars; numeric x draws lines with markers. */
  kind?: "line" | "bar";
  logX?: boolean;
}

/** Short axis labels with units for the figures notebooks plot; anything else shows its column name. */
const LABELS: Readonly<Record<string, string>> = {
  decode_j_per_output_token: "J per output token (decode)",
  prefill_j_per_input_token: "J per input token (prefill)",
  prefill_j_per_input_token_repeated: "J per input token (repeated prefill)",
  energy_total_j: "energy per generation (J)",
  decode_energy_j: "decode energy (J)",
  latency_total_s: "latency (s)",
  throughput_tokens_per_s: "tokens/s",
  batch_size: "batch size (prompts)",
  input_length: "input length (tokens)",
  output_length: "output length (tokens)",
  quantization: "weights",
};

/** An axis title that fits a 420 px chart: the label, and on a second line what qualifies it. */
function axisTitle(label: string, note: string | null): string {
  return note ? `${label}<br><sup>${note}</sup>` : label;
}

export function seriesChart(rows: readonly SummaryRow[], o: SeriesChartOptions): PlotFigure {
  const groups = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const g = o.group ? String(r[o.group]) : o.y;
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const estimated = rows.some((r) => r[`${o.y}_estimated`] === true);
  const kind = o.kind ?? (rows.every((r) => typeof r[o.x] === "number") ? "line" : "bar");
  const data = [...groups.entries()].map(([name, members]) => ({
    type: kind === "bar" ? "bar" : "scatter",
    mode: kind === "bar" ? undefined : "lines+markers",
    name,
    x: members.map((r) => r[o.x]),
    y: members.map((r) => r[`${o.y}_mean`]),
    error_y: { type: "data", array: members.map((r) => r[`${o.y}_std`] ?? 0), visible: true },
  }));
  const yTitle = axisTitle(o.yTitle ?? LABELS[o.y] ?? o.y, estimated ? "includes ESTIMATED CPU energy" : null);
  // Batch sizes and token counts are whole numbers: ticks only where there are values, never at 2.5.
  const xs = [...new Set(rows.map((r) => r[o.x]))];
  const integerX = kind === "line" && xs.every((x) => Number.isInteger(x));
  return {
    data,
    layout: {
      title: { text: o.title },
      xaxis: {
        title: { text: o.xTitle ?? LABELS[o.x] ?? o.x }, type: o.logX ? "log" : kind === "bar" ? "category" : "linear",
        ...(integerX ? { tickmode: "array", tickvals: [...xs].sort((a, b) => Number(a) - Number(b)) } : {}),
      },
      yaxis: { title: { text: yTitle }, rangemode: "tozero" },
      barmode: "group",
      margin: { t: 50, r: 20, b: 50, l: 80 },
      width: 760, height: 420,
    },
  };
}

/** Power over time with the prefill and decode phases shaded (the power-trace notebooks). */
export function powerTraceChart(trace: readonly { tMs: number; watts: Record<string, number> }[],
  phases: readonly { name: string; startMs: number; endMs: number }[], title: string,
  options: { estimated?: readonly string[] } = {}): PlotFigure {
  const devices = [...new Set(trace.flatMap((s) => Object.keys(s.watts)))];
  const t0 = trace[0]?.tMs ?? 0;
  const palette = ["rgba(31,119,180,0.12)", "rgba(255,127,14,0.12)", "rgba(44,160,44,0.12)"];
  return {
    data: devices.map((d) => ({
      type: "scatter", mode: "lines+markers", name: `${d} W${options.estimated?.includes(d) ? " (ESTIMATED)" : ""}`,
      x: trace.map((s) => (s.tMs - t0) / 1000), y: trace.map((s) => s.watts[d] ?? null),
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: "time (s)" } },
      yaxis: { title: { text: options.estimated?.length ? `power (W; ${options.estimated.join(", ")} ESTIMATED)` : "power (W)" }, rangemode: "tozero" },
      showlegend: true,
      shapes: phases.map((p, i) => ({
        type: "rect", xref: "x", yref: "paper", y0: 0, y1: 1,
        x0: (p.startMs - t0) / 1000, x1: (p.endMs - t0) / 1000, fillcolor: palette[i % palette.length], line: { width: 0 },
      })),
      annotations: phases.map((p) => ({ x: ((p.startMs + p.endMs) / 2 - t0) / 1000, y: 1.02, xref: "x", yref: "paper", text: p.name, showarrow: false })),
      width: 760, height: 380, margin: { t: 60, r: 20, b: 50, l: 60 },
    },
  };
}
