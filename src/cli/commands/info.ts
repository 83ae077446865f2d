// wattlab info: the GPUs, meters and execution providers found here, and why any is missing.
import { describeMeters, formatMeterInfo } from "../../meter/index.js";
import { backendEnvironment } from "../../sweep/cluster.js";
import { wattlabVersion, gitCommit } from "../../version.js";
import { get, type CommandSpec } from "../args.js";

export const infoCommand: CommandSpec = {
  name: "info",
  summary: "print the GPUs, meters and execution providers found, and why any is missing",
  usage: "wattlab info [--json]",
  options: [{ name: "json", kind: "boolean", help: "print as JSON" }],
  async run(parsed) {
    const meters = await describeMeters();
    // a `wattlab bundle` folder may carry llama.cpp alone: then say so instead of failing
    const providers = await import("../../engine/onnxruntime/index.js").then((m) => m.listExecutionProviders(),
      (e: Error) => [{ name: "onnxruntime", available: false, reason: `onnxruntime-node does not load here: ${e.message.split("\n")[0]}` }]);
    const head = { wattlab: wattlabVersion(), commit: gitCommit(), node: process.version, backendEnv: backendEnvironment() };
    if (get.boolean(parsed, "json")) {
      console.log(JSON.stringify({ ...head, meters, executionProviders: providers }, null, 2));
      return;
    }
    console.log(`wattlab ${head.wattlab} (${head.commit?.slice(0, 10) ?? "no git"}), node ${head.node}`);
    console.log(formatMeterInfo(meters));
    console.log("onnxruntime execution providers:");
    for (const p of providers) console.log(`  ${p.name.padEnd(8)} ${p.available ? "available" : "missing"}${p.reason ? ` — ${p.reason}` : ""}`);
    // they change what llama.cpp runs (CUDA graphs, Vulkan devices, …) without a flag; rows record them as backend_env
    console.log(`llama.cpp switches in the environment: ${head.backendEnv ?? "none"}`);
  },
};
