// A tiny seeded text grammar for the synthetic look-alike datasets: rules of alternatives with
// placeholders, expanded from a start rule. The word lists and templates live in data/synthetic/*.json.
//   {rule}          one alternative of `rule`, expanded in turn
//   {rule@x}        the same, remembered as x for the rest of this text
//   {@x}            what x was
//   {int:a-b}       a whole number from a to b; {int:a-b@x} remembers it
import { SeededRandom } from "../util/rng.js";

export interface Grammar {
  /** The rule each text is expanded from. */
  start: string;
  rules: Record<string, string[]>;
}

const PLACEHOLDER = /\{([^{}]+)\}/g;
/** Deep enough for any sane template, low enough that a rule referring to itself fails fast. */
const MAX_DEPTH = 24;

export class GrammarError extends Error {
  override name = "GrammarError";
}

/** Every problem of a grammar at once: unknown rules, empty rules, bad number ranges. */
export function grammarProblems(grammar: Grammar, label: string): string[] {
  const problems: string[] = [];
  if (!grammar.rules?.[grammar.start]) problems.push(`${label}: start rule "${grammar.start}" is not defined`);
  for (const [name, alternatives] of Object.entries(grammar.rules ?? {})) {
    if (!Array.isArray(alternatives) || alternatives.length === 0) { problems.push(`${label}: rule "${name}" has no alternatives`); continue; }
    for (const alternative of alternatives) {
      for (const [, body] of alternative.matchAll(PLACEHOLDER)) {
        const [ref] = body.split("@");
        if (ref === "") continue;
        if (ref.startsWith("int:")) {
          const m = /^int:(\d+)-(\d+)$/.exec(ref);
          if (!m || Number(m[1]) > Number(m[2])) problems.push(`${label}: rule "${name}" has a bad range {${body}}; write {int:2-12}`);
        } else if (!(ref in grammar.rules)) problems.push(`${label}: rule "${name}" refers to undefined rule {${ref}}`);
      }
    }
  }
  return problems;
}

/** One text: same grammar, seed and index → same text on every machine. */
export function expandText(grammar: Grammar, seed: number, index: number, stream: string): string {
  const rng = new SeededRandom(seed, `${stream}#${index}`);
  const bound = new Map<string, string>();
  const pick = <T>(items: readonly T[]): T => items[rng.nextUint32() % items.length];
  const expand = (text: string, depth: number): string => {
    if (depth > MAX_DEPTH) throw new GrammarError(`grammar ${stream}: expansion deeper than ${MAX_DEPTH} (a rule refers to itself)`);
    return text.replace(PLACEHOLDER, (_, body: string) => {
      const [ref, name] = body.split("@");
      if (ref === "") {
        const value = bound.get(name);
        if (value === undefined) throw new GrammarError(`grammar ${stream}: {@${name}} used before anything was remembered as ${name}`);
        return value;
      }
      let value: string;
      const range = /^int:(\d+)-(\d+)$/.exec(ref);
      if (range) {
        const lo = Number(range[1]);
        value = String(lo + (rng.nextUint32() % (Number(range[2]) - lo + 1)));
      } else {
        value = expand(pick(grammar.rules[ref]), depth + 1);
      }
      if (name) bound.set(name, value);
      return value;
    });
  };
  const text = expand(pick(grammar.rules[grammar.start]), 0);
  // Templates write a capital only where a sentence starts with a literal; fix the rest.
  return text.replace(/(^|[.?!]\s+|\n\s*)([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase());
}
