// --ort-config KEY=VALUE: onnxruntime session config entries from the command line (`wattlab generate`, `wattlab profile`).
import { UsageError, type OptionSpec } from "./args.js";

export const ORT_CONFIG_OPTION: OptionSpec = {
  name: "ort-config", kind: "list", repeatOnly: true,
  help: "onnxruntime session config entry KEY=VALUE, repeatable (e.g. session.intra_op.allow_spinning=0); of the WebGPU EP's options " +
    "onnxruntime-node takes only ep.webgpuexecutionprovider.validationMode=disabled|wgpuOnly|basic|full (wattlab: basic); onnxruntime engine only",
};

/** The entries as key → value; undefined when none. A bad entry, or a key given twice with two values, is a UsageError naming the flag. */
export function parseOrtConfig(command: string, entries: readonly string[]): Record<string, string> | undefined {
  if (entries.length === 0) return undefined;
  const config: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? "" : entry.slice(0, eq).trim();
    if (!key) {
      throw new UsageError(`wattlab ${command}: --ort-config "${entry}" is not KEY=VALUE (e.g. --ort-config session.intra_op.allow_spinning=0)`);
    }
    const value = entry.slice(eq + 1);
    if (Object.hasOwn(config, key) && config[key] !== value) {
      throw new UsageError(`wattlab ${command}: --ort-config ${key} given twice ("${config[key]}", "${value}"); give each KEY once`);
    }
    config[key] = value;
  }
  return config;
}
