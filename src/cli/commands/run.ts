// wattlab run: execute notebooks headless through the wattlab (tslab) kernel, papermill-style parameters.
import { runNotebook } from "../../notebook/index.js";
import { get, UsageError, type CommandSpec } from "../args.js";

/** `--set key=value`: numbers and JSON arrays/objects/booleans are parsed, anything else is a string. */
export function parseParameter(entry: string): [string, unknown] {
  const eq = entry.indexOf("=");
  if (eq < 1) throw new UsageError(`wattlab run: --set "${entry}" must be name=value, e.g. --set device=webgpu`);
  const name = entry.slice(0, eq).trim();
  const raw = entry.slice(eq + 1);
  try {
    const value = JSON.parse(raw);
    return [name, value];
  } catch {
    return [name, raw];
  }
}

export const runCommand: CommandSpec = {
  name: "run",
  summary: "execute notebooks headless through the tslab kernel",
  usage: "wattlab run NOTEBOOK.ipynb… [--set name=value …] [--timeout S] [--out DIR]",
  options: [
    { name: "set", kind: "list", repeatOnly: true, help: "override a parameter of the cell tagged `parameters` (repeatable)" },
    { name: "timeout", kind: "number", help: "per-cell limit; a cell past it is interrupted. Units: s", default: 600 },
    { name: "out", kind: "string", help: "write executed notebooks here (default: results/notebooks)", default: "results/notebooks" },
  ],
  positionals: true,
  async run(parsed) {
    if (parsed.positionals.length === 0) throw new UsageError("wattlab run: name one or more notebooks, e.g. wattlab run notebooks/*.ipynb");
    const parameters = Object.fromEntries(get.list(parsed, "set").map(parseParameter));
    let failed = 0;
    for (const path of parsed.positionals) {
      const r = await runNotebook(path, { parameters, timeoutS: get.number(parsed, "timeout"), outDir: get.string(parsed, "out") });
      if (r.ok) {
        console.log(`ok    ${path} → ${r.outputPath} (${r.cells.length} cells, ${r.seconds.toFixed(1)} s)`);
      } else {
        failed++;
        const c = r.failedCell!;
        console.error(`FAIL  ${path}: cell ${c.index} raised ${c.ename}: ${c.evalue} (executed notebook: ${r.outputPath})`);
      }
    }
    if (failed) process.exitCode = 1;
  },
};
