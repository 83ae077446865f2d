// Papermill-style parameters for TypeScript notebooks.
// Convention: the cell tagged `parameters` declares each default with its own `let` (a type annotation is welcome):
//     let batchSize: number = 8;
//     let model = "tiny-random-llama";
// The runner inserts right after it a cell tagged `injected-parameters` that re-assigns the given ones:
//     batchSize = 32;
// Re-assigning (not re-declaring) keeps the parameters cell's types: a value of the wrong type fails the type check
// in the injected cell, which names the parameter. A `const` cannot be re-assigned, so it is refused up front.
import { hasTag, toLines, type CodeCell, type Notebook } from "./nbformat.js";

export const parametersTag = "parameters";
export const injectedParametersTag = "injected-parameters";

/**
 * A copy of `notebook` with `parameters` injected after its `parameters` cell (an earlier injected cell is replaced).
 * `label` names the notebook in errors.
 */
export function injectParameters(notebook: Notebook, parameters: Record<string, unknown>, label: string): Notebook {
  const cells = notebook.cells.filter((cell) => !hasTag(cell, injectedParametersTag));
  const names = Object.keys(parameters);
  if (names.length === 0) return { ...notebook, cells };
  const at = cells.findIndex((cell) => cell.cell_type === "code" && hasTag(cell, parametersTag));
  if (at < 0) {
    throw new Error(
      `${label}: no code cell is tagged "${parametersTag}", so ${names.join(", ")} cannot be set; ` +
        `tag the cell that declares the defaults (one \`let name = value;\` each)`,
    );
  }
  const declared = declarations(cells[at]!.source);
  for (const name of names) {
    const kind = declared.get(name);
    if (kind === "let") continue;
    const fix = `declare it there as \`let ${name} = …;\``;
    throw new Error(
      kind
        ? `${label}: parameter "${name}" is declared with ${kind} in the "${parametersTag}" cell and cannot be re-assigned; ${fix}`
        : `${label}: parameter "${name}" is not declared in the "${parametersTag}" cell (it declares: ${[...declared.keys()].join(", ") || "nothing"}); ${fix}`,
    );
  }
  const lines = ["// Parameters injected by wattlab's notebook runner\n", ...names.map((name) => `${name} = ${literal(parameters[name], name)};\n`)];
  const taken = new Set(cells.map((cell) => cell.id));
  const injected: CodeCell = {
    cell_type: "code",
    id: taken.has(injectedParametersTag) ? `injected-${Date.now().toString(36)}` : injectedParametersTag,
    metadata: { tags: [injectedParametersTag] },
    execution_count: null,
    outputs: [],
    source: toLines(lines.join("").trimEnd()),
  };
  return { ...notebook, cells: [...cells.slice(0, at + 1), injected, ...cells.slice(at + 1)] };
}

/**
 * The subset of `parameters` that the notebook's `parameters` cell declares: job-wide settings (repetitions,
 * a results folder) then reach the notebooks that take them, and a notebook that only reads stored results is
 * left alone. A notebook without a parameters cell takes none.
 */
export function declaredParameters(notebook: Notebook, parameters: Record<string, unknown>): Record<string, unknown> {
  const cell = notebook.cells.find((c) => c.cell_type === "code" && hasTag(c, parametersTag));
  if (!cell) return {};
  const declared = declarations(cell.source);
  return Object.fromEntries(Object.entries(parameters).filter(([name]) => declared.get(name) === "let"));
}

/** Names declared at the start of a statement in the cell, with their keyword (first declaration wins). */
function declarations(source: string | string[]): Map<string, "let" | "const" | "var"> {
  const text = Array.isArray(source) ? source.join("") : source;
  const found = new Map<string, "let" | "const" | "var">();
  for (const match of text.matchAll(/(?:^|[;{}\n])\s*(let|const|var)\s+([A-Za-z_$][\w$]*)/g)) {
    if (!found.has(match[2]!)) found.set(match[2]!, match[1] as "let" | "const" | "var");
  }
  return found;
}

/** A TypeScript literal for a JSON-like value: strings, finite or special numbers, booleans, null, arrays, objects. */
export function literal(value: unknown, name: string): string {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : value === Infinity ? "Infinity" : value === -Infinity ? "-Infinity" : String(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, name)).join(", ")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${JSON.stringify(key)}: ${literal(item, name)}`);
    return `{ ${entries.join(", ")} }`;
  }
  throw new Error(`parameter "${name}": ${typeof value} values cannot be written into a notebook; pass JSON-like data`);
}
