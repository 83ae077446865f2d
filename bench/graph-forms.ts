// Benchmark: the portable graph (standard ONNX ops) against the fused one (onnxruntime contrib ops) through
// a bare onnxruntime session: prefill ms for a prompt, decode-step ms at that context (and its ratio to the
// portable form's, repeat by repeat), and whether the two forms agree on a left-padded batch (the fused form
// turns rows around for GroupQueryAttention; a device whose kernel ignores per-row lengths would show it
// here). Models of one preset/dtype/logits are opened together and their repeats interleaved, the order
// alternating, so that drift (other processes, clocks) hits every form alike.
//   node --import tsx bench/graph-forms.ts [--device cpu|webgpu] [--presets tiny,llama-100m] [--dtypes fp32,fp16,int4]
//     [--graphs portable,fused] [--logits last] [--activations fp16] [--model-dirs DIR,DIR] [--batch 1] [--prompt-tokens 128]
//     [--decode-steps 20] [--repeats 5] [--threads N] [--json out.json]
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { detectModelLayout } from "../src/engine/onnxruntime/layout.js";
import { createSession, tensor, type OrtFeeds, type OrtSession, type OrtTensor } from "../src/engine/onnxruntime/session.js";
import { readGraphOutputNames } from "../src/engine/onnxruntime/graph-outputs.js";
import { isPresentName, readDecoderSignature, type DecoderSignature } from "../src/engine/onnxruntime/signature.js";
import { percentile } from "../src/util/stats.js";
import { pairedRatios } from "./ratios.js";
import { defaultModelsDir } from "../src/lab/models.js";
import { ensureModel, readManifest, type GraphForm, type LogitsForm, type ModelDtype } from "../src/models/build.js";
import { fromHalfArray } from "../src/models/onnx/fp16.js";
import { relativeError } from "../test/support/forward.js";

export interface GraphFormsOptions {
  device?: "cpu" | "webgpu";
  /** Presets to build (cached in modelsDir) and measure; default tiny and llama-100m, none when modelDirs is given. */
  presets?: string[];
  dtypes?: ModelDtype[];
  /** Activations of int8/int4 builds (fp32 by default; fp16 is the usual GPU form, "q4f16"). */
  activations?: "fp32" | "fp16";
  graphs?: GraphForm[];
  logits?: LogitsForm[];
  /** Model folders built elsewhere (`wattlab build-model … --graph fused`), measured as they are. */
  modelDirs?: string[];
  /** Where presets are built; default $WATTLAB_MODELS_DIR or <repo>/models. */
  modelsDir?: string;
  batch?: number;
  promptTokens?: number;
  /** Decode steps timed per repeat (each at context promptTokens + 1). */
  decodeSteps?: number;
  repeats?: number;
  /** CPU intra-op threads (onnxruntime's default when absent). */
  threads?: number;
}

interface Candidate {
  dir: string;
  /** Same weights: the preset (or config.json) and seed; builds of one identity are compared for accuracy. */
  identity: string;
  label: string; group: string; graph: string; dtype: string; logits: string; modelMB: number }

interface Opened extends Candidate {
  session: OrtSession;
  sig: DecoderSignature;
  loadS: number;
  prefillMs: number[];
  decodeMs: number[];
  /** Median decode step of each repeat, in repeat order (paired across the group's forms). */
  decodeRepeatMs: number[];
  /** Set when a run failed: the model is measured no further and reported as an error row. */
  failed?: string;
}

/** Runs `work` for a model; a failure marks the model instead of ending the whole benchmark. */
async function guarded(m: Opened, work: () => Promise<void>): Promise<void> {
  if (m.failed) return;
  try { await work(); } catch (error) { m.failed = (error as Error).message.split("\n")[0]; }
}

function candidates(options: GraphFormsOptions): Promise<Candidate[]> | Candidate[] {
  const fromDir = (dir: string): Candidate => {
    const m = readManifest(dir);
    const base = dir.split("/").filter(Boolean).at(-1)!;
    const name = m?.preset ?? base;
    const configFile = join(dir, "config.json");
    const weights = m?.preset ?? (existsSync(configFile) ? createHash("sha256").update(readFileSync(configFile)).digest("hex").slice(0, 12) : dir);
    const identity = m ? `${weights}|seed${m.seed}` : dir;
    return {
      dir, identity, label: m ? `${name} ${m.dtype}${m.dtype.startsWith("int") ? `/${m.activations}` : ""} ${m.graph} logits=${m.logits ?? "all"}` : name,
      group: m ? `${identity}|${m.dtype}|${m.activations}|${m.logits ?? "all"}` : dir,
      graph: m?.graph ?? "?", dtype: m?.dtype ?? "?", logits: m?.logits ?? "?", modelMB: m ? Math.round(m.modelBytes / 2 ** 20) : NaN,
    };
  };
  const dirs = (options.modelDirs ?? []).map(fromDir);
  const presets = options.presets ?? (options.modelDirs ? [] : ["tiny", "llama-100m"]);
  if (presets.length === 0) return dirs;
  return (async () => {
    const built: Candidate[] = [...dirs];
    for (const preset of presets) {
      for (const dtype of options.dtypes ?? ["fp32", "fp16", "int4"]) {
        for (const logits of options.logits ?? ["last"]) {
          for (const graph of options.graphs ?? ["portable", "fused"]) {
            const activations = dtype === "int4" || dtype === "int8" ? options.activations : undefined;
            const m = await ensureModel(options.modelsDir ?? defaultModelsDir(), preset, dtype, { graph, logits, activations });
            built.push(fromDir(m.dir));
          }
        }
      }
    }
    return built;
  })();
}

const ids = (sig: DecoderSignature, values: number[], dims: number[]): OrtTensor =>
  sig.inputIds.type === "int64" ? tensor("int64", BigInt64Array.from(values.map(BigInt)), dims) : tensor("int32", Int32Array.from(values), dims);

/** Feeds for rows of tokens after a past of `pastLength` (masks: 0 on each row's leading pads). */
function feeds(sig: DecoderSignature, tokens: number[][], pads: number[], pastLength: number, past: OrtTensor[]): OrtFeeds {
  const batch = tokens.length;
  const seq = tokens[0].length;
  const total = pastLength + seq;
  const f: OrtFeeds = { [sig.inputIds.name]: ids(sig, tokens.flat(), [batch, seq]) };
  const as = (type: "int32" | "int64", values: number[], dims: number[]) =>
    type === "int64" ? tensor("int64", BigInt64Array.from(values.map(BigInt)), dims) : tensor("int32", Int32Array.from(values), dims);
  if (sig.attentionMask) {
    f[sig.attentionMask.name] = as(sig.attentionMask.type, pads.flatMap((p) => Array.from({ length: total }, (_, j) => (j < p ? 0 : 1))), [batch, total]);
  }
  if (sig.positionIds) {
    // Hugging Face: cumsum(mask) − 1, pads at 1
    const positions = pads.flatMap((p) => Array.from({ length: seq }, (_, j) => (pastLength + j < p ? 1 : pastLength + j - p)));
    f[sig.positionIds.name] = as(sig.positionIds.type, positions, [batch, seq]);
  }
  sig.layers.forEach((layer, i) => { f[layer.pastKey] = past[2 * i]; f[layer.pastValue] = past[2 * i + 1]; });
  return f;
}

function emptyPast(sig: DecoderSignature, batch: number): OrtTensor[] {
  const dims = [batch, sig.kvHeads, 0, sig.headSize];
  return sig.layers.flatMap(() => [0, 1].map(() =>
    sig.kvType === "float16" ? tensor("float16", new Uint16Array(0), dims) : tensor("float32", new Float32Array(0), dims)));
}

const presents = (sig: DecoderSignature, out: Record<string, OrtTensor>): OrtTensor[] =>
  sig.layers.flatMap((l) => [out[l.presentKey], out[l.presentValue]]);

function release(tensors: readonly OrtTensor[]): void {
  for (const t of tensors) if (t.location === "gpu-buffer") t.dispose();
}

/** Each row's last-position logits as float64. */
function lastLogits(out: Record<string, OrtTensor>, sig: DecoderSignature): Float64Array[] {
  const logits = out[sig.logits.name];
  const [batch, seq, vocab] = logits.dims;
  const values = logits.type === "float16" ? fromHalfArray(logits.data as Uint16Array) : Float64Array.from(logits.data as Float32Array);
  return Array.from({ length: batch }, (_, r) => Float64Array.from(values.subarray((r * seq + seq - 1) * vocab, (r * seq + seq) * vocab)));
}

const argmax = (v: Float64Array) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

/** A left-padded batch of two rows, prefill and one decode step: each row's last logits. */
async function raggedRun(m: Opened, vocab: number): Promise<Float64Array[]> {
  const length = 12;
  const shortLength = 5;
  const token = (i: number) => 1 + ((i * 7919) % (vocab - 1));
  const rows = [Array.from({ length }, (_, i) => token(i)), Array.from({ length }, (_, i) => (i < length - shortLength ? 0 : token(100 + i)))];
  const pads = [0, length - shortLength];
  const first = await m.session.run(feeds(m.sig, rows, pads, 0, emptyPast(m.sig, 2)));
  const past = presents(m.sig, first);
  const second = await m.session.run(feeds(m.sig, [[token(3)], [token(4)]], pads, length, past));
  release(past);
  release(presents(m.sig, second));
  return [...lastLogits(first, m.sig), ...lastLogits(second, m.sig)];
}

/** Measures each group's models interleaved; returns one row per model. */
export async function benchGraphForms(options: GraphFormsOptions = {}): Promise<Record<string, number | string>[]> {
  const { device = "cpu", batch = 1, promptTokens = 128, decodeSteps = 20, repeats = 5, threads } = options;
  const all = await candidates(options);
  const groups = new Map<string, Candidate[]>();
  for (const c of all) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const rows: Record<string, number | string>[] = [];
  const fp32Ragged = new Map<string, Float64Array[]>();

  for (const members of groups.values()) {
    const opened: Opened[] = [];
    try {
      for (const c of members) {
        try {
          const layout = detectModelLayout(c.dir);
          const started = performance.now();
          // as the engine does: the KV cache stays on the GPU between runs
          const gpuOutputs = device === "webgpu"
            ? readGraphOutputNames(layout.modelPath).filter((n) => isPresentName(n, layout.config.kvNameTemplates)) : undefined;
          const session = await createSession(layout.modelPath, { device, threads, gpuOutputs });
          const sig = readDecoderSignature(session.inputMetadata, session.outputMetadata, layout.config, layout.modelPath);
          opened.push({ ...c, session, sig, loadS: (performance.now() - started) / 1000, prefillMs: [], decodeMs: [], decodeRepeatMs: [] });
        } catch (error) {
          rows.push({ model: c.label, graph: c.graph, dtype: c.dtype, device, status: "error", error: (error as Error).message.split("\n")[0] });
        }
      }
      const vocab = opened[0]?.sig.vocabSize ?? 2;
      const prompt = Array.from({ length: batch }, (_, r) => Array.from({ length: promptTokens }, (_, i) => 1 + ((i * 37 + r * 101) % (vocab - 1))));
      const noPads = prompt.map(() => 0);
      const pasts = new Map<Opened, OrtTensor[]>();
      for (const m of opened) { // warm-up: shader compilation, allocator growth; keeps the past for the decode steps
        await guarded(m, async () => {
          const out = await m.session.run(feeds(m.sig, prompt, noPads, 0, emptyPast(m.sig, batch)));
          pasts.set(m, presents(m.sig, out));
          for (let i = 0; i < 3; i++) release(presents(m.sig, await m.session.run(feeds(m.sig, prompt.map(() => [5]), noPads, promptTokens, pasts.get(m)!))));
        });
      }
      for (let r = 0; r < repeats; r++) {
        // alternate the order so that no form always runs right after another's spinning threads
        for (const m of r % 2 ? [...opened].reverse() : opened) await guarded(m, async () => {
          const prefillFeeds = feeds(m.sig, prompt, noPads, 0, emptyPast(m.sig, batch));
          let started = performance.now();
          const out = await m.session.run(prefillFeeds);
          m.prefillMs.push(performance.now() - started);
          release(presents(m.sig, out));
          for (let s = 0; s < decodeSteps; s++) {
            const stepFeeds = feeds(m.sig, prompt.map((_, i) => [1 + ((s * 13 + i) % (vocab - 1))]), noPads, promptTokens, pasts.get(m)!);
            started = performance.now();
            const step = await m.session.run(stepFeeds);
            m.decodeMs.push(performance.now() - started);
            release(presents(m.sig, step));
          }
          m.decodeRepeatMs.push(percentile(m.decodeMs.slice(-decodeSteps), 50));
        });
      }
      for (const p of pasts.values()) release(p);

      // Agreement on a left-padded batch: with the portable member of the group (same weights, other graph),
      // and with the fp32 portable build of the preset when one was measured before (the more exact one).
      const ragged = new Map<Opened, Float64Array[]>();
      for (const m of opened) await guarded(m, async () => { ragged.set(m, await raggedRun(m, vocab)); });
      const reference = opened.find((m) => m.graph === "portable" && ragged.has(m));
      if (reference && reference.dtype === "fp32" && reference.logits === "last") fp32Ragged.set(reference.identity, ragged.get(reference)!);
      const compare = (got: Float64Array[], want: Float64Array[]) => ({
        relErr: Math.max(...got.map((g, i) => relativeError(g, want[i]))).toExponential(2),
        argmax: got.every((g, i) => argmax(g) === argmax(want[i])) ? "yes" : "no",
      });
      for (const m of opened) {
        const vsOthers: Record<string, number | string> = {};
        const got = ragged.get(m);
        if (got && reference && m !== reference) {
          const c = compare(got, ragged.get(reference)!);
          vsOthers.raggedRelErrVsPortable = c.relErr;
          vsOthers.raggedArgmaxAgrees = c.argmax;
        }
        const portable = opened.find((o) => o.graph === "portable" && !o.failed);
        if (portable && m !== portable && !m.failed && m.decodeRepeatMs.length === portable.decodeRepeatMs.length) {
          // per repeat: this form's median step / the portable one's in the same repeat
          const ratios = pairedRatios(m.decodeRepeatMs, portable.decodeRepeatMs);
          vsOthers.decodeRatioVsPortable = Number(ratios.median.toFixed(4));
          vsOthers.decodeRatioVsPortableMin = Number(ratios.min.toFixed(4));
          vsOthers.decodeRatioVsPortableMax = Number(ratios.max.toFixed(4));
        }
        const exact = fp32Ragged.get(m.identity);
        if (got && exact && m.dtype !== "fp32") vsOthers.raggedRelErrVsFp32 = compare(got, exact).relErr;
        if (m.failed) {
          rows.push({ model: m.label, graph: m.graph, dtype: m.dtype, logits: m.logits, device, status: "error", error: m.failed });
          continue;
        }
        const decodeMedian = percentile(m.decodeMs, 50);
        rows.push({
          model: m.label, graph: m.graph, dtype: m.dtype, logits: m.logits, device, batch, promptTokens, modelMB: m.modelMB,
          loadS: Number(m.loadS.toFixed(2)),
          prefillMs: Number(percentile(m.prefillMs, 50).toFixed(2)),
          decodeStepMs: Number(decodeMedian.toFixed(3)),
          decodeStepP90Ms: Number(percentile(m.decodeMs, 90).toFixed(3)),
          decodeTokensPerS: Number(((1000 / decodeMedian) * batch).toFixed(1)),
          ...vsOthers, status: "ok",
        });
      }
    } finally {
      for (const m of opened) await m.session.release();
    }
  }
  return rows;
}

/** A markdown table of the rows (columns in first-seen order). */
export function markdownTable(rows: Record<string, number | string>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: (string | number | undefined)[]) => `| ${cells.map((c) => c ?? "").join(" | ")} |`;
  return [line(columns), line(columns.map(() => "---")), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

// run as a script (also when bundled alone; a bundle that imports it has another name)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && /graph-forms\.[mc]?[jt]s$/.test(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      device: { type: "string" }, presets: { type: "string" }, dtypes: { type: "string" }, graphs: { type: "string" },
      logits: { type: "string" }, activations: { type: "string" }, "model-dirs": { type: "string" }, "models-dir": { type: "string" }, batch: { type: "string" },
      "prompt-tokens": { type: "string" }, "decode-steps": { type: "string" }, repeats: { type: "string" },
      threads: { type: "string" }, json: { type: "string" },
    },
  });
  const list = (v?: string) => (v ? v.split(",").filter(Boolean) : undefined);
  const num = (v?: string) => (v ? Number(v) : undefined);
  const rows = await benchGraphForms({
    device: values.device as "cpu" | "webgpu" | undefined, presets: list(values.presets), dtypes: list(values.dtypes) as ModelDtype[] | undefined,
    graphs: list(values.graphs) as GraphForm[] | undefined, activations: values.activations as "fp32" | "fp16" | undefined, logits: list(values.logits) as LogitsForm[] | undefined,
    modelDirs: list(values["model-dirs"]), modelsDir: values["models-dir"], batch: num(values.batch),
    promptTokens: num(values["prompt-tokens"]), decodeSteps: num(values["decode-steps"]), repeats: num(values.repeats), threads: num(values.threads),
  });
  console.log(markdownTable(rows));
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2) + "\n");
}
