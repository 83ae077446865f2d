// The Transformers baseline's CSV (bench/hf_baseline.py) as rows shaped like wattlab's, so that the same
// analysis (summarize, seedFindings, charts) runs on the study's own stack. Its energies are NVML's GPU
// counter alone, so they land in the `_measured` columns; it has no CPU figure to estimate.
import { readFileSync } from "node:fs";
import { parseCsv } from "../sweep/csv.js";
import type { RunRecord } from "../sweep/record.js";

const REQUIRED = ["model", "batch_size", "input_length", "output_length", "repetition", "tokens_out", "tokens_per_s", "energy_gpu_j"];

export function loadBaselineCsv(file: string): RunRecord[] {
  const [head, ...lines] = parseCsv(readFileSync(file, "utf8"));
  const missing = REQUIRED.filter((c) => !head?.includes(c));
  if (!head || missing.length > 0) {
    throw new Error(`${file}: not a baseline CSV from bench/hf_baseline.py (missing columns: ${missing.join(", ") || "all"}); ` +
      `pass the --out file of that script`);
  }
  const num = (v: string | undefined) => (v === undefined || v === "" ? null : Number(v));
  return lines.filter((l) => l.length === head.length).map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i]]))).map((r) => {
    const prefillPerToken = num(r.prefill_j_per_input_token);
    return {
      model: r.model, engine: "transformers", device: r.device || "cuda", quantization: r.quantization || "fp16", dataset: "random ids",
      weight_form: r.quantization || "fp16", state: r.state || "completed",
      input_length: num(r.input_length), output_length: num(r.output_length), batch_size: num(r.batch_size), repetition: num(r.repetition),
      tokens_out: num(r.tokens_out), throughput_tokens_per_s: num(r.tokens_per_s), latency_total_s: num(r.latency_total_s), latency_prefill_s: num(r.latency_prefill_s),
      gpu_energy_j_measured: num(r.energy_gpu_j), energy_total_j_measured: num(r.energy_gpu_j),
      // older baseline files measured one prefill window, not a repeated one: those leave the columns empty
      prefill_j_per_input_token_repeated_measured: r.prefill_passes ? prefillPerToken : null,
      prefill_gpu_j_per_input_token_repeated_measured: r.prefill_passes ? prefillPerToken : null,
      prefill_repeats: num(r.prefill_passes), peak_gpu_memory_mb: num(r.peak_gpu_memory_mb), gpu_model: r.gpu_name ?? null,
      backend_version: r.transformers_version ? `transformers ${r.transformers_version}, torch ${r.torch_version}` : null,
    } as unknown as RunRecord;
  });
}
