// wattlab build-model: an ONNX folder or a GGUF file with seeded weights at a preset's (or config's) true shapes.
import { buildModel, LOGITS_FORMS, type BuildOptions, type LogitsForm, type ModelDtype } from "../../models/build.js";
import { buildGguf } from "../../models/gguf/index.js";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { formatBytes, removeStalePartials, withPartialBuild } from "../../models/build-notice.js";
import { getPreset, loadConfig, parameterCount, presetNames } from "../../models/presets.js";
import { CONFIRM_CPU_FP32_PARAMETERS, GGUF_FORM, saidYes } from "../../lab/models.js";
import { get, UsageError, type CommandSpec } from "../args.js";

const ONNX_DTYPES = ["fp32", "fp16", "int8", "int4"];
const GGUF_DTYPES = ["f32", "f16", "q8_0", "q4_0"];
const BLOCK_SIZES: readonly NonNullable<BuildOptions["blockSize"]>[] = [16, 32, 64, 128, 256];

export const buildModelCommand: CommandSpec = {
  name: "build-model",
  summary: "build an ONNX folder or GGUF file with seeded weights at a preset's true shapes",
  usage: "wattlab build-model (--preset NAME | --config config.json) --dtype fp32|fp16|int8|int4 --out DIR [--format onnx|gguf] [--tokenizer DIR] [--seed N] [--graph portable|fused] [--logits last|all] [--activations fp32|fp16]",
  options: [
    { name: "preset", kind: "string", help: `one of ${presetNames().join(", ")}` },
    { name: "config", kind: "string", help: "a Hugging Face config.json (Llama or Qwen2) instead of a preset" },
    { name: "dtype", kind: "string", help: "onnx: fp32|fp16|int8|int4; gguf: f32|f16|q8_0|q4_0 (fp16/int8/int4 map to f16/q8_0/q4_0)", default: "fp16" },
    { name: "format", kind: "string", help: "onnx (a folder) or gguf (a file)", default: "onnx" },
    { name: "out", kind: "string", help: "output folder (onnx) or .gguf file" },
    { name: "tokenizer", kind: "string", help: "folder with the real tokenizer.json to ship (else a synthetic one of the preset's vocab size)" },
    { name: "seed", kind: "number", whole: true, help: "weight seed", default: 0 },
    { name: "graph", kind: "string", help: "onnx graph form: portable (standard ops) or fused (onnxruntime contrib ops)", default: "portable" },
    { name: "logits", kind: "string", help: "onnx logits output: last (each row's last position, as generate needs) or all positions", default: "last" },
    { name: "activations", kind: "string", help: "onnx int8/int4: activation and KV cache type, fp32 or fp16 (fp16 for GPUs; sweeps pick it by device)" },
    { name: "block-size", kind: "number", help: "MatMulNBits block size for int8/int4", default: 32, choices: BLOCK_SIZES },
    { name: "yes", kind: "boolean", help: "go ahead with fp32/f32 weights for a model of a billion parameters or more (a ~27 GB file for 7B)" },
  ],
  async run(parsed) {
    const preset = get.string(parsed, "preset");
    const configPath = get.string(parsed, "config");
    if (!preset === !configPath) throw new UsageError("wattlab build-model: give exactly one of --preset NAME or --config config.json");
    const out = get.string(parsed, "out");
    if (!out) throw new UsageError("wattlab build-model: --out is required (a folder for onnx, a .gguf path for gguf)");
    const config = configPath ? loadConfig(configPath) : undefined;
    const format = get.string(parsed, "format");
    let dtype = get.string(parsed, "dtype")!;
    const parameters = parameterCount(config ?? getPreset(preset!));
    if ((dtype === "fp32" || dtype === "f32") && parameters >= CONFIRM_CPU_FP32_PARAMETERS && !saidYes({ yes: get.boolean(parsed, "yes") })) {
      throw new UsageError(`wattlab build-model: ${preset ?? configPath} as ${dtype} means writing ${formatBytes(parameters * 4)} of random weights ` +
        "(fp32 is the CPU's form, where a model this size generates at seconds per token): pass --yes to go ahead, or build fp16/int8/int4");
    }
    if (format === "gguf") {
      if (dtype in GGUF_FORM) dtype = GGUF_FORM[dtype as keyof typeof GGUF_FORM];
      if (!GGUF_DTYPES.includes(dtype)) throw new UsageError(`wattlab build-model: --dtype "${dtype}" is not a GGUF form (${GGUF_DTYPES.join(", ")})`);
      const r = await buildGguf({ preset, config, dtype: dtype as (typeof GGUF_FORM)[keyof typeof GGUF_FORM], outPath: out, seed: get.number(parsed, "seed"), tokenizerDir: get.string(parsed, "tokenizer") });
      console.log(`${r.path}: ${r.fileType}, ${(r.bytes / 2 ** 30).toFixed(2)} GiB in ${r.seconds.toFixed(1)} s${r.fallbacks.length ? `; F16 fallbacks: ${r.fallbacks.length}` : ""}`);
      return;
    }
    if (format !== "onnx") throw new UsageError(`wattlab build-model: --format "${format}" is not onnx or gguf`);
    if (!ONNX_DTYPES.includes(dtype)) throw new UsageError(`wattlab build-model: --dtype "${dtype}" is not one of ${ONNX_DTYPES.join(", ")}`);
    const graph = get.string(parsed, "graph");
    if (graph !== "portable" && graph !== "fused") throw new UsageError(`wattlab build-model: --graph "${graph}" is not portable or fused`);
    const logits = get.string(parsed, "logits")!;
    if (!LOGITS_FORMS.includes(logits as LogitsForm)) throw new UsageError(`wattlab build-model: --logits "${logits}" is not ${LOGITS_FORMS.join(" or ")}`);
    const activations = get.string(parsed, "activations");
    if (activations !== undefined && activations !== "fp32" && activations !== "fp16") throw new UsageError(`wattlab build-model: --activations "${activations}" is not fp32 or fp16`);
    // built beside --out and renamed into place: an interrupted build leaves no half folder under its name. The
    // folder is replaced whole, so it must be new, empty or an earlier build.
    if (existsSync(out) && (!statSync(out).isDirectory() || (readdirSync(out).length > 0 && !existsSync(join(out, "wattlab-manifest.json"))))) {
      throw new UsageError(`wattlab build-model: --out ${out} exists and is not an earlier wattlab build (no wattlab-manifest.json); name a new folder`);
    }
    removeStalePartials(dirname(resolve(out)));
    const built = await withPartialBuild(resolve(out), async (partial) => {
      const manifest = await buildModel({
        activations, displayDir: out,
        preset, config, dtype: dtype as ModelDtype, outDir: partial, tokenizerDir: get.string(parsed, "tokenizer"),
        seed: get.number(parsed, "seed"), graph, logits: logits as LogitsForm, blockSize: get.choice(parsed, "block-size", BLOCK_SIZES),
      });
      rmSync(out, { recursive: true, force: true });
      renameSync(partial, out);
      return manifest;
    });
    const m = { ...built, dir: resolve(out) };
    console.log(`${m.dir}: ${m.preset ?? "config"} ${m.weightForm}, ${m.graph} graph, logits ${m.logits}, ${(m.parameterCount / 1e6).toFixed(1)}M parameters, ` +
      `${(m.modelBytes / 2 ** 30).toFixed(2)} GiB in ${m.buildSeconds.toFixed(1)} s`);
  },
};
