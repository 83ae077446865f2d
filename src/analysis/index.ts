// Analysis: rows → tables, findings and charts' data. Reads the results store, never writes it, and wires no parts.
export { loadResults, summarize, toFrame, figure, isEstimated, datasetNote, change } from "./results.js";
export type { Frame, SummaryRow } from "./results.js";
export { loadBaselineCsv } from "./baseline.js";
export { seriesChart, powerTraceChart } from "./charts.js";
export type { SeriesChartOptions } from "./charts.js";
export { seedFindings, inferBase, energyPerOutputToken } from "./findings.js";
export type { Finding } from "./findings.js";
export { servingTable, servingEnergyChart, servingLatencyChart, servingTradeoffChart, loadColumn, SERVING_METRICS } from "./serving.js";
