// wattlab quantize: MatMul weights → MatMulNBits (round-to-nearest, per-block scales and zero points).
import { quantizeModel, type QuantizeOptions } from "../../models/quantize/quantize-model.js";
import { get, UsageError, type CommandSpec } from "../args.js";

const BITS: readonly QuantizeOptions["bits"][] = [4, 8];
const BLOCK_SIZES = [16, 32, 64, 128, 256];
const ACCURACY_LEVELS: readonly NonNullable<QuantizeOptions["accuracyLevel"]>[] = [0, 1, 2, 3, 4];

export const quantizeCommand: CommandSpec = {
  name: "quantize",
  summary: "rewrite an ONNX model's constant MatMul weights to 8 or 4 bits (MatMulNBits)",
  usage: "wattlab quantize --in DIR --bits 4|8 [--block-size 16|32|64|128|256] --out DIR",
  options: [
    { name: "in", kind: "string", help: "folder with model.onnx (+ external data)" },
    { name: "out", kind: "string", help: "output folder (other files are copied along)" },
    { name: "bits", kind: "number", help: "weight bits", default: 4, choices: BITS },
    { name: "block-size", kind: "number", help: "elements per scale", default: 32, choices: BLOCK_SIZES },
    { name: "accuracy-level", kind: "number", help: "MatMulNBits accuracy_level (0: activation type; 4: int8 activations on CPU)", default: 0, choices: ACCURACY_LEVELS },
  ],
  async run(parsed) {
    const inputDir = get.string(parsed, "in");
    const outDir = get.string(parsed, "out");
    if (!inputDir || !outDir) throw new UsageError("wattlab quantize: --in DIR and --out DIR are required");
    const bits = get.choice(parsed, "bits", BITS)!;
    const r = quantizeModel({ inputDir, outDir, bits, blockSize: get.choice(parsed, "block-size", BLOCK_SIZES), accuracyLevel: get.choice(parsed, "accuracy-level", ACCURACY_LEVELS) });
    console.log(`${outDir}: ${r.weightForm}; ${r.quantized.length} MatMuls quantized, ${r.skipped.length} kept; ` +
      `${(r.bytesBefore / 2 ** 20).toFixed(1)} MB → ${(r.bytesAfter / 2 ** 20).toFixed(1)} MB (${((100 * r.bytesAfter) / r.bytesBefore).toFixed(1)}%)`);
    for (const s of r.skipped) console.log(`  kept ${s.node}: ${s.reason}`);
  },
};
