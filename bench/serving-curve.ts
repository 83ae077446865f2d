// The serving curve of a results folder: every serving.jsonl under it (`wattlab sweep --engine openai` against
// `wattlab serve`), one line per load level — J per output token over the steady state, tokens/s, p50/p99 latency and
// goodput — as a markdown section for the 7B report.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { filesUnder } from "./protocol-check.js";
import type { ServingRecord } from "../src/sweep/serving/index.js";
import { effectiveRows, readResults } from "../src/sweep/store.js";

export interface ServingCurve {
  file: string;
  /** What served: the rows' server_model_card, else the server's ready line kept beside them (serve.out). */
  server: string | null;
  rows: ServingRecord[];
  /** Levels the sweep's serving-spec.json planned that have no row. */
  missing: number[];
}

export function servingCurves(dir: string): ServingCurve[] {
  return filesUnder(dir, (name) => name === "serving.jsonl").map((path) => {
    const d = dirname(path);
    const rows = effectiveRows(readResults<ServingRecord>(path).rows);
    const specPath = join(d, "serving-spec.json");
    const spec = existsSync(specPath) ? (JSON.parse(readFileSync(specPath, "utf8")) as { concurrency?: number[]; requestRates?: number[] }) : {};
    const planned = spec.concurrency?.length ? spec.concurrency : spec.requestRates ?? [];
    const seen = new Set(rows.map((r) => Number(r.concurrency ?? r.request_rate_per_s)));
    return { file: relative(dir, path), rows, missing: planned.filter((level) => !seen.has(level)), server: serverOf(rows, d) };
  });
}

function serverOf(rows: readonly ServingRecord[], folder: string): string | null {
  const card = rows.map((r) => r.server_model_card).find((c): c is string => typeof c === "string");
  if (card) {
    const c = JSON.parse(card) as Record<string, unknown>;
    return [`${c.engine ?? c.owned_by ?? "?"} ${c.device ?? ""} ${c.weight_form ?? ""}`.trim(), c.batching ? `${c.batching} batching` : null,
      c.max_concurrency ? `${c.max_concurrency} sequences of ${c.context_length} tokens` : null].filter(Boolean).join(", ");
  }
  const line = existsSync(join(folder, "serve.out")) ? /\(([^)]*)\)\s*$/m.exec(readFileSync(join(folder, "serve.out"), "utf8")) : null;
  return line ? line[1] : null;
}

const num = (v: unknown, d: number, scale = 1) => (typeof v === "number" && Number.isFinite(v) ? (v * scale).toFixed(d) : "–");

/** The section, or null when the folder holds no serving rows. */
export function servingSection(dir: string, serverLine: (file: string) => string | null = () => null): string | null {
  const curves = servingCurves(dir).filter((c) => c.rows.length > 0);
  if (curves.length === 0) return null;
  const parts = curves.map((c) => {
    const rows = [...c.rows].sort((a, b) => Number(a.concurrency ?? a.request_rate_per_s) - Number(b.concurrency ?? b.request_rate_per_s));
    const first = rows[0];
    const lines = rows.map((r) => r.state !== "completed"
      ? `| ${r.concurrency ?? r.request_rate_per_s} | failed: ${r.error_message} |||||||||||`
      : `| ${r.concurrency ?? `${r.request_rate_per_s}/s`} | ${r.requests} (${r.requests_failed} failed) | ${num(r.steady_s, 1)} | ${num(r.output_tokens_per_s, 0)} | ` +
        `${num(r.gpu_j_per_output_token, 3)} | ${num(r.j_per_output_token_measured ?? r.j_per_output_token_estimated, 3)}${r.j_per_output_token_estimated !== null ? " (est.)" : ""} | ` +
        `${num(r.avg_power_w_measured ?? r.avg_power_w_estimated, 0)} | ${num(r.ttft_p50_s, 0, 1000)} / ${num(r.ttft_p99_s, 0, 1000)} | ${num(r.tpot_p50_s, 1, 1000)} / ${num(r.tpot_p99_s, 1, 1000)} | ` +
        `${num(r.goodput_share, 0, 100)}% | ${r.below_resolution === true ? "**yes**" : r.below_resolution === false ? "no" : "–"} |`);
    const when = `${String(first.gpu_model ?? "GPU not recorded")}, ${String(first.started_at ?? "").slice(0, 10)}`;
    return `\`${c.file}\`: ${first.served_model} at ${first.endpoint}${c.server ? ` (${c.server})` : serverLine(c.file) ? ` (${serverLine(c.file)})` : ""}, measured on ${when}; ${first.input_length} tokens in, ` +
      `${first.output_length} out (EOS ignored: ${first.ignore_eos}), prompts from ${first.dataset_used}, ${typeof first.warmup_requests === "number" ? "an unmetered warm-up round before each level" : "no warm-up before the levels (the first requests of each batch shape carry its first-use costs)"}, ${rows[0].repetition === 0 && rows.every((r) => r.repetition === 0) ? "one run per level" : "repetitions per level"}.

| concurrency | requests | steady window (s) | output tokens/s | GPU J/output token | J/output token (GPU + CPU) | avg power (W) | TTFT p50 / p99 (ms) | TPOT p50 / p99 (ms) | goodput (TTFT ≤ ${first.slo_ttft_s} s, TPOT ≤ ${num(first.slo_tpot_s, 0, 1000)} ms) | below resolution |
|---|---|---|---|---|---|---|---|---|---|---|
${lines.join("\n")}${c.missing.length ? `\n\nPlanned in \`serving-spec.json\` but not measured (no row): ${c.missing.join(", ")}.` : ""}`;
  });
  return `## Serving curve (\`wattlab serve\` under load)

Closed loop: N requests in flight, a new one sent as one ends. Energy is metered over each level's steady state only (from
the moment N requests are in flight until the first request of the drain finishes); J per output token is that window's
energy over the output tokens generated inside it. Latencies are over every request of the level.

${parts.join("\n\n")}
`;
}
