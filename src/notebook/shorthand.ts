// Works around a tslab 1.0.22 defect: it rewrites a variable from an earlier cell `x` into `exports.x`, but not in
// shorthand properties, so `console.log({ x })` in a later cell throws "x is not defined". Writing the cell's
// shorthand properties out (`{ x: x }`, `{ x = 1 } = o` → `{ x: x = 1 } = o`) means the same and is rewritten right.
import type * as TypeScript from "typescript";
import { requireFromTslab } from "./paths.js";

let ts: typeof TypeScript | undefined;

export function expandShorthandProperties(source: string): string {
  ts ??= requireFromTslab()("@tslab/typescript-for-tslab") as typeof TypeScript;
  const typescript = ts;
  const file = typescript.createSourceFile("cell.ts", source, typescript.ScriptTarget.Latest, false, typescript.ScriptKind.TS);
  const positions: { at: number; name: string }[] = [];
  const visit = (node: TypeScript.Node): void => {
    if (typescript.isShorthandPropertyAssignment(node)) positions.push({ at: node.name.getStart(file), name: node.name.text });
    typescript.forEachChild(node, visit);
  };
  visit(file);
  let out = source;
  for (const { at, name } of positions.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + `${name}: ` + out.slice(at);
  return out;
}
