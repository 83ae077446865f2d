// Imports run downward: every module under src/ imports only from its own folder or from a layer below its own
// (LAYERS below, bottom to top). Read from the sources: static imports, re-exports and
// dynamic import() of a literal path, type-only ones included (a type couples a module as much as a value does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { sourceFiles, srcDir } from "../support/source-files.js";

/** Bottom to top. A folder (or a file at src/'s root, by its name) imports only from its own or a lower layer;
 * the parts of one layer are peers and import none of each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ["util", "version", "quantities", "formats"], // primitives: seeded RNG, statistics; one definition per quantity; ONNX and GGUF encodings
  ["meter", "notebook"], // joules from the machine's counters; the notebook kernel and runner
  ["models", "engine", "data", "load"], // building models; running them; prompts and dataset names; load on a server
  ["sweep", "serve"], // plan, validate, run, record, store; the OpenAI-compatible server over an engine
  ["analysis"], // rows → tables, findings, charts
  ["lab", "bundle"], // wiring real parts for the CLI and notebooks; the portable bundle
  ["cli", "index"], // entry points
];

/** Imports that go against LAYERS today, each with why it stays. Keyed "importer → imported" (paths under src/). */
export const KNOWN_EXCEPTIONS: Readonly<Record<string, string>> = {};

export interface ImportEdge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of one source file (`file` relative to src/, POSIX separators), resolved to .ts paths under src/. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier.startsWith(".")) continue;
    const to = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
    edges.push({ from: file, to });
  }
  return edges;
}

/** The part of src/ a file belongs to: its top folder, or its own name for a file at src/'s root. */
export function partOf(file: string): string {
  const [head, ...rest] = file.split("/");
  return rest.length ? head : head.replace(/\.ts$/, "");
}

/** Every edge that goes up or sideways between peers, or touches a part LAYERS does not name, as one line each. */
export function violations(edges: readonly ImportEdge[], exceptions: Readonly<Record<string, string>> = KNOWN_EXCEPTIONS): string[] {
  const rank = new Map<string, number>();
  LAYERS.forEach((parts, i) => parts.forEach((part) => rank.set(part, i)));
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const a = partOf(from), b = partOf(to);
    if (a === b || exceptions[`${from} → ${to}`] !== undefined) continue;
    const ra = rank.get(a), rb = rank.get(b);
    if (ra === undefined || rb === undefined) {
      problems.push(`${from} → ${to}: src/${ra === undefined ? a : b} is in no layer; add it to LAYERS in test/architecture/imports.test.ts`);
    } else if (rb >= ra) {
      problems.push(`${from} → ${to}: ${a} (layer ${ra}) may not import ${b} (layer ${rb}${rb === ra ? ", a peer" : ", above it"})`);
    }
  }
  return problems;
}

const src = srcDir;
const root = dirname(srcDir);


function edgesOfSrc(): ImportEdge[] {
  return sourceFiles(src).flatMap((path) => importsOf(relative(src, path).split(sep).join("/"), readFileSync(path, "utf8")));
}

test("no module under src/ imports from a layer above its own, or from a peer", () => {
  const edges = edgesOfSrc();
  assert.ok(edges.length > 100, `read ${edges.length} imports from ${src}: expected the whole source tree`);
  assert.deepEqual(violations(edges), []);
});

test("each known exception is still an import (one that went away is struck from the list)", () => {
  const seen = new Set(edgesOfSrc().map((e) => `${e.from} → ${e.to}`));
  assert.deepEqual(Object.keys(KNOWN_EXCEPTIONS).filter((key) => !seen.has(key)), []);
});

test("a wrong import is caught: upward, between peers, and from a folder no layer names", () => {
  const edges = [
    ...importsOf("util/rng.ts", 'import type { RunRecord } from "../sweep/record.js";\n'),
    ...importsOf("engine/llamacpp/index.ts", 'import { fileTypeName } from "../../models/gguf/constants.js";\n'),
    ...importsOf("sweep/run.ts", 'const { x } = await import("../lab/models.js");\n'),
    ...importsOf("cli/main.ts", 'export { y } from "../attic/old.js";\n'),
  ];
  assert.deepEqual(edges.map((e) => e.to), ["sweep/record.ts", "models/gguf/constants.ts", "lab/models.ts", "attic/old.ts"]);
  const found = violations(edges);
  assert.equal(found.length, 4, found.join("\n"));
  assert.match(found[0], /^util\/rng\.ts → sweep\/record\.ts: util \(layer 0\) may not import sweep \(layer 3, above it\)$/);
  assert.match(found[1], /engine \(layer 2\) may not import models \(layer 2, a peer\)/);
  assert.match(found[3], /src\/attic is in no layer/);
  assert.deepEqual(violations(importsOf("sweep/run.ts", '// import { x } from "../lab/models.js"\nimport { y } from "./record.js";\n')), [], "comments and same-folder imports are fine");
});

/** The layers the README's mermaid diagram draws, bottom to top: each box's first line, its parts split on " · ". */
export function drawnLayers(readme: string): string[][] {
  const block = /```mermaid\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Architecture")))?.[1] ?? "";
  const boxes = new Map<string, string[]>();
  const order: string[] = [];
  for (const [, id, label] of block.matchAll(/(\w+)\["([^"<]+)/g)) {
    if (!boxes.has(id)) order.push(id);
    boxes.set(id, label.split(" · ").map((part) => part.trim().replace(/\.ts$/, "")));
  }
  return order.map((id) => boxes.get(id)!).reverse();
}

test("the README's architecture diagram draws LAYERS, and its table names every part of src/", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const sorted = (layers: readonly (readonly string[])[]) => layers.map((parts) => [...parts].sort());
  assert.deepEqual(sorted(drawnLayers(readme)), sorted(LAYERS), "README.md's ## Architecture mermaid diagram, bottom to top");
  const section = readme.slice(readme.indexOf("## Architecture"), readme.indexOf("```mermaid"));
  const parts = readdirSync(src).map((name) => (name.endsWith(".ts") ? `src/${name}` : `src/${name}/`));
  assert.deepEqual(parts.filter((part) => !section.includes("`" + part + "`")), [], "parts of src/ missing from README.md's layer table");
});
