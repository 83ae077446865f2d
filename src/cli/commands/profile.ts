// wattlab profile: onnxruntime's profiler over one generation, summarised per operator type.
import { profileGeneration } from "../../lab/profile.js";
import type { ExecutionProvider } from "../../engine/types.js";
import { ENGINE_DEVICES, QUANTIZATIONS, type Quantization } from "../../sweep/dimensions.js";
import { get, UsageError, type CommandSpec } from "../args.js";

// the profiler is onnxruntime's: its devices and weight forms only
const DEVICES: readonly string[] = ENGINE_DEVICES.onnxruntime;
const DTYPES: readonly string[] = QUANTIZATIONS;

export const profileCommand: CommandSpec = {
  name: "profile",
  summary: "profile one onnxruntime generation per operator type (where a decode step's time goes)",
  usage: "wattlab profile [--model NAME|DIR] [--dtype fp16] [--device webgpu] [--input-tokens 128] [--max-new-tokens 32] [--batch 1] [--top 12] [--out PREFIX]",
  options: [
    { name: "model", kind: "string", help: "a preset (built on first use) or an ONNX model folder", default: "tiny" },
    { name: "dtype", kind: "string", help: DTYPES.join(" | "), default: "fp32" },
    { name: "device", kind: "string", help: DEVICES.join(" | "), default: "cpu" },
    { name: "input-tokens", kind: "number", help: "prompt tokens per row", default: 32 },
    { name: "max-new-tokens", kind: "number", help: "tokens generated per row (fixed length)", default: 16 },
    { name: "batch", kind: "number", help: "rows generated together", default: 1 },
    { name: "warmup", kind: "number", help: "generations left out of the summary", default: 1 },
    { name: "threads", kind: "number", help: "onnxruntime CPU threads" },
    { name: "top", kind: "number", help: "operator types to list", default: 12 },
    { name: "out", kind: "string", help: "profile file prefix (default: a temp folder)" },
  ],
  async run(parsed) {
    const device = get.string(parsed, "device")!, dtype = get.string(parsed, "dtype")!;
    if (!DEVICES.includes(device)) throw new UsageError(`wattlab profile: --device "${device}" is not one of ${DEVICES.join(", ")} (profiling is onnxruntime's)`);
    if (!DTYPES.includes(dtype)) throw new UsageError(`wattlab profile: --dtype "${dtype}" is not one of ${DTYPES.join(", ")}`);
    const p = await profileGeneration({
      model: get.string(parsed, "model"), device: device as ExecutionProvider, quantization: dtype as Quantization,
      inputTokens: get.number(parsed, "input-tokens"), maxNewTokens: get.number(parsed, "max-new-tokens"), batch: get.number(parsed, "batch"),
      warmupRuns: get.number(parsed, "warmup"), threads: get.number(parsed, "threads"), profilePrefix: get.string(parsed, "out"),
    });
    const s = p.decode ?? p.summary;
    const ms = (us: number) => (us / 1000).toFixed(3);
    console.log(`profile: ${p.file}`);
    console.log(`${p.decode ? "decode runs" : "runs"}: ${s.runs}, mean ${ms(s.runMeanUs)} ms per run; kernels ${ms(s.kernelUsPerRun)} ms per run ` +
      `(${((100 * s.kernelUsPerRun) / s.runMeanUs).toFixed(0)}% of the run; host-side times: on a GPU EP, recording and dispatch)`);
    const top = s.ops.slice(0, get.number(parsed, "top"));
    const width = Math.max(8, ...top.map((o) => o.op.length));
    console.log(`${"operator".padEnd(width)}  provider  calls/run  ms/run   share`);
    for (const o of top) {
      console.log(`${o.op.padEnd(width)}  ${o.provider.padEnd(8)}  ${o.callsPerRun.toFixed(1).padStart(9)}  ${ms(o.usPerRun).padStart(7)}  ${(100 * o.share).toFixed(1).padStart(5)}%`);
    }
  },
};
