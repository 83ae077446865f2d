// Prints the node_modules folders a GPU run needs: the production closure of the engines, meter and data
// packages (optional platform builds skipped except llama.cpp's Vulkan one). Notebook, analysis and build
// tooling (tslab, danfo, plotly, typescript) stay behind: the device runs the CLI only.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const roots = ["onnxruntime-node", "onnxruntime-common", "koffi", "node-llama-cpp", "@node-llama-cpp/linux-x64-vulkan",
  "@huggingface/tokenizers", "@huggingface/jinja", "@tgwf/co2", "node-nvidia-smi", "hyparquet"];
const seen = new Set();
const visit = (name) => {
  if (seen.has(name) || !existsSync(join("node_modules", name, "package.json"))) return;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
};
roots.forEach(visit);
if (seen.has("koffi")) for (const n of ["@koromix/koffi-linux-x64"]) if (existsSync(join("node_modules", n))) seen.add(n);
console.log([...seen].sort().join(" "));
