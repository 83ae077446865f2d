// wattlab bundle: one folder to copy to a node without a registry or network (src/bundle/pack.ts).
import { BUNDLE_ENGINES, LLAMA_BACKENDS, type BundleEngine, type LlamaBackend } from "../../bundle/closure.js";
import { makeBundle } from "../../bundle/pack.js";
import { get, UsageError, type CommandSpec } from "../args.js";

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MiB`;

function oneOf<T extends string>(option: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`wattlab bundle: --${option} "${v}" is not one of ${allowed.join(", ")}`);
  }
  return [...new Set(values)] as T[];
}

export const bundleCommand: CommandSpec = {
  name: "bundle",
  summary: "pack the CLI, its native packages and optionally Node into one folder for an offline (air-gapped) node",
  usage: "wattlab bundle --out DIR [--engines onnxruntime,llama.cpp] [--llama-backends cpu,vulkan] [--with-node] [--llama-source]",
  options: [
    { name: "out", kind: "string", help: "the folder to create (absent or empty); copy it to the node and run ./wattlab there" },
    { name: "engines", kind: "list", help: `engines to carry: ${BUNDLE_ENGINES.join(", ")}`, default: "onnxruntime,llama.cpp" },
    { name: "llama-backends", kind: "list", help: `llama.cpp prebuilt binaries to carry: ${LLAMA_BACKENDS.join(", ")} (cuda: sm_86/89/120 only, ~540 MiB)`, default: "cpu,vulkan" },
    { name: "with-node", kind: "boolean", help: "carry the running Node binary (for nodes without Node ≥ 20)" },
    { name: "llama-source", kind: "boolean", help: "carry llama.cpp's sources and scripts/llamacpp-cuda-build.sh, to build llama.cpp for CUDA on the node (Hopper, A100); needs git here" },
  ],
  async run(parsed) {
    const out = get.string(parsed, "out");
    if (!out) throw new UsageError("wattlab bundle: name the folder to create, e.g. wattlab bundle --out /tmp/wattlab-bundle --with-node");
    const list = (name: string) => get.list(parsed, name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    const engines = oneOf<BundleEngine>("engines", list("engines"), BUNDLE_ENGINES);
    const llamaBackends = oneOf<LlamaBackend>("llama-backends", list("llama-backends"), LLAMA_BACKENDS);
    const summary = makeBundle({ out, engines, llamaBackends, withNode: get.boolean(parsed, "with-node"), llamaSource: get.boolean(parsed, "llama-source") });
    console.log(`bundle: ${summary.out}, ${mb(summary.bytes)} (${summary.parts.map((p) => `${p.name} ${mb(p.bytes)}`).join(", ")})`);
    console.log(`engines: ${engines.join(", ")}${engines.includes("llama.cpp") ? ` (llama.cpp prebuilts: ${llamaBackends.join(", ")})` : ""}; ` +
      `node: ${summary.node ?? "not carried (the node needs Node ≥ 20 on PATH)"}; Vulkan loader: ${summary.vulkanLoader ? `${summary.vulkanLoader}${summary.glvnd.length ? ` (+ ${summary.glvnd.join(", ")})` : ""}` : "not carried"}`);
    for (const note of summary.notes) console.log(`note: ${note}`);
    console.log(`run it there: ${summary.out}/wattlab info   (README.md inside says more)`);
  },
};
