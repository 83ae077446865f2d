// wattlab run: execute notebooks headless through the wattlab (tslab) kernel, papermill-style parameters.
import { resolve } from "node:path";
import { runNotebook } from "../../notebook/index.js";
import { readNotebook } from "../../notebook/nbformat.js";
import { declaredParameters } from "../../notebook/parameters.js";
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

const DEFAULT_OUT = "results/notebooks";

export const runCommand: CommandSpec = {
  name: "run",
  summary: "execute notebooks headless through the tslab kernel",
  usage: "wattlab run NOTEBOOK.ipynb… [--set name=value …] [--timeout S] [--out DIR]",
  options: [
    { name: "set", kind: "list", repeatOnly: true, help: "override a parameter of the cell tagged `parameters` (repeatable)" },
    { name: "timeout", kind: "number", above: 0, help: "per-cell limit; a cell past it is interrupted. Units: s", default: 600 },
    { name: "out", kind: "string", help: "write executed notebooks here; figures go to OUT/figures unless it is the default or --set figuresDir is given", default: DEFAULT_OUT },
    { name: "strict", kind: "boolean", help: "with several notebooks, a --set name that one of them does not declare is an error (default: a warning, and that notebook keeps its own value)" },
  ],
  positionals: true,
  async run(parsed) {
    if (parsed.positionals.length === 0) throw new UsageError("wattlab run: name one or more notebooks, e.g. wattlab run notebooks/*.ipynb");
    const parameters = Object.fromEntries(get.list(parsed, "set").map(parseParameter));
    const out = get.string(parsed, "out") ?? DEFAULT_OUT;
    // Another output folder takes the figures along, so a second run never overwrites results/figures.
    if (resolve(out) !== resolve(DEFAULT_OUT) && !("figuresDir" in parameters)) parameters.figuresDir = resolve(out, "figures");
    // One notebook: every --set must land. Several: a setting meant for some of them is only a warning for the rest.
    const lenient = parsed.positionals.length > 1 && !get.boolean(parsed, "strict");
    let failed = 0;
    for (const path of parsed.positionals) {
      // figuresDir is ours, not the user's: a notebook that does not declare it simply does not get it
      const own = "figuresDir" in parameters && !get.list(parsed, "set").some((e) => e.startsWith("figuresDir="));
      const declared = declaredParameters(readNotebook(path), parameters);
      const taken = lenient ? declared : own && !("figuresDir" in declared) ? withoutKey(parameters, "figuresDir") : parameters;
      const ignored = Object.keys(parameters).filter((name) => !(name in taken) && !(own && name === "figuresDir"));
      if (ignored.length) console.warn(`wattlab run: ${path} does not declare ${ignored.join(", ")}; it runs with its own defaults (--strict makes this an error)`);
      const r = await runNotebook(path, { parameters: taken, timeoutS: get.number(parsed, "timeout"), outDir: out });
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

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}
