// Small parts: no source file under src/ over MAX_FILE_LINES lines and no function over MAX_FUNCTION_LINES, each
// read with the TypeScript compiler's own parser (function declarations, methods, constructors, accessors, arrow
// functions and function expressions; a function's span runs from its first line to its last, nested functions
// included).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { sourceFiles, srcDir } from "../support/source-files.js";
import ts from "typescript";

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;

/** Files or functions allowed over the limits, each with why. Keyed "path" or "path: function" (paths under src/). */
export const KNOWN_EXCEPTIONS: Readonly<Record<string, string>> = {};

export interface FunctionSpan {
  name: string;
  lines: number;
  startLine: number;
}

/** The lines of a file as an editor counts them (a final newline does not start another line). */
export function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function nameOf(node: ts.Node, file: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(file);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(file);
  if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name.getText(file);
  return "(anonymous)";
}

/** Every function-like node in one source file with its span in lines (1-based start line). */
export function functionSpans(path: string, text: string): FunctionSpan[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.Node & { body?: ts.Node }).body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ name: nameOf(node, file), lines: end - start + 1, startLine: start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return spans;
}

/** One line for each file or function over its limit that KNOWN_EXCEPTIONS does not name. */
export function oversized(
  files: readonly { path: string; text: string }[],
  exceptions: Readonly<Record<string, string>> = KNOWN_EXCEPTIONS,
): string[] {
  const problems: string[] = [];
  for (const { path, text } of files) {
    const lines = lineCount(text);
    if (lines > MAX_FILE_LINES && exceptions[path] === undefined) {
      problems.push(`src/${path}: ${lines} lines (at most ${MAX_FILE_LINES}); split it by job`);
    }
    for (const fn of functionSpans(path, text)) {
      if (fn.lines > MAX_FUNCTION_LINES && exceptions[`${path}: ${fn.name}`] === undefined) {
        problems.push(`src/${path}:${fn.startLine} ${fn.name}: ${fn.lines} lines (at most ${MAX_FUNCTION_LINES}); extract named steps`);
      }
    }
  }
  return problems;
}

const src = srcDir;
const root = dirname(srcDir);


function srcFiles(): { path: string; text: string }[] {
  return sourceFiles(src).map((path) => ({ path: relative(src, path).split(sep).join("/"), text: readFileSync(path, "utf8") }));
}

test(`no file under src/ over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, () => {
  const files = srcFiles();
  assert.ok(files.length > 50, `read ${files.length} files from ${src}: expected the whole source tree`);
  assert.deepEqual(oversized(files), []);
});

test("each known exception still names a file or function over its limit (one that shrank is struck from the list)", () => {
  const over = new Set(oversized(srcFiles(), {}).map((line) => line.replace(/^src\//, "").replace(/:\d+ /, ": ").replace(/: \d+ lines.*$/, "")));
  assert.deepEqual(Object.keys(KNOWN_EXCEPTIONS).filter((key) => !over.has(key)), []);
});

test("a long file and a long function are caught, whatever form the function takes", () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");
  const longFile = Array.from({ length: MAX_FILE_LINES + 1 }, (_, i) => `export const c${i} = ${i};`).join("\n") + "\n";
  assert.equal(lineCount(longFile), MAX_FILE_LINES + 1);
  const fns = [
    `export function declared() {\n${body(MAX_FUNCTION_LINES - 2)}\n}\n`, // exactly at the limit: fine
    `export function tooLong() {\n${body(MAX_FUNCTION_LINES - 1)}\n}\n`,
    `export const arrow = () => {\n${body(MAX_FUNCTION_LINES - 1)}\n};\n`,
    `class K {\n  method() {\n${body(MAX_FUNCTION_LINES - 1)}\n  }\n}\n`,
    `export function outer() {\n  return function () {\n${body(MAX_FUNCTION_LINES)}\n  };\n}\n`,
  ].join("");
  const found = oversized([
    { path: "sweep/long.ts", text: longFile },
    { path: "sweep/fns.ts", text: fns },
  ], { "sweep/fns.ts": "many long functions in one file, to see each caught" });
  assert.deepEqual(
    found.map((line) => line.replace(/ \(at most.*$/, "")),
    [
      `src/sweep/long.ts: ${MAX_FILE_LINES + 1} lines`,
      `src/sweep/fns.ts:${MAX_FUNCTION_LINES + 1} tooLong: ${MAX_FUNCTION_LINES + 1} lines`,
      `src/sweep/fns.ts:${2 * MAX_FUNCTION_LINES + 2} arrow: ${MAX_FUNCTION_LINES + 1} lines`,
      `src/sweep/fns.ts:${3 * MAX_FUNCTION_LINES + 4} method: ${MAX_FUNCTION_LINES + 1} lines`,
      `src/sweep/fns.ts:${4 * MAX_FUNCTION_LINES + 6} outer: ${MAX_FUNCTION_LINES + 4} lines`,
      `src/sweep/fns.ts:${4 * MAX_FUNCTION_LINES + 7} (anonymous): ${MAX_FUNCTION_LINES + 2} lines`,
    ],
  );
  assert.deepEqual(oversized([{ path: "sweep/long.ts", text: longFile }], { "sweep/long.ts": "a reason" }), [], "a named exception is let through");
});
