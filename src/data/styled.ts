// The synthetic look-alike datasets: instruction-style and word-problem-style texts expanded from the
// grammars wattlab ships in data/synthetic/ (its own word lists), so a machine without the study's files
// still compares two prompt styles.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../version.js";
import { expandText, grammarProblems, GrammarError, type Grammar } from "./grammar.js";
import type { StyledDatasetName } from "./names.js";

const GRAMMAR_FILE: Readonly<Record<StyledDatasetName, string>> = {
  "synthetic-instruct": "instruct.json",
  "synthetic-math": "math.json",
};

/** Texts per pool: more than any batch uses, so rows rarely share a text. */
export const STYLED_POOL_SIZE = 2000;

const loaded = new Map<string, Grammar>();

/** The grammar of a look-alike dataset, read once from the package's data/synthetic/. */
export function styledGrammar(name: StyledDatasetName, dataDir = join(packageRoot(), "data")): Grammar {
  const path = join(dataDir, "synthetic", GRAMMAR_FILE[name]);
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) throw new GrammarError(`${name}: ${path} is missing from the wattlab package; reinstall wattlab (the file ships with it)`);
  const grammar = JSON.parse(readFileSync(path, "utf8")) as Grammar;
  const problems = grammarProblems(grammar, path);
  if (problems.length) throw new GrammarError(problems.join("; "));
  loaded.set(path, grammar);
  return grammar;
}

/** `count` texts of a look-alike dataset; the same seed gives the same texts everywhere. */
export function styledTexts(name: StyledDatasetName, count = STYLED_POOL_SIZE, seed = 0, dataDir?: string): string[] {
  const grammar = styledGrammar(name, dataDir);
  return Array.from({ length: count }, (_, i) => expandText(grammar, seed, i, name));
}
