// A tiny typed option parser: every command declares its options once in a table, and help is printed
// from that table, so the help text and the parser cannot drift apart.

export type OptionKind = "string" | "number" | "boolean" | "list";

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  help: string;
  default?: string | number | boolean;
  /** For `list`: the option may repeat (`--set a=1 --set b=2`); also split on commas unless `repeatOnly`. */
  repeatOnly?: boolean;
  /** The only values allowed (each part, for a list); any other is refused in one line naming them. Shown in help. */
  choices?: readonly (string | number)[];
  /** For `number`: a whole number only; with min (inclusive), above (exclusive) and max, checked where parsed. */
  whole?: boolean;
  min?: number;
  above?: number;
  max?: number;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** Positional arguments are allowed (and everything after `--` is passed through). */
  positionals?: boolean;
  run(parsed: ParsedArgs): Promise<void>;
}

export interface ParsedArgs {
  options: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a bare `--`. */
  rest: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const options: ParsedArgs["options"] = {};
  for (const o of spec.options) if (o.default !== undefined) options[o.name] = o.default;
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") { rest = argv.slice(i + 1); break; }
    if (!arg.startsWith("--")) {
      if (!spec.positionals) throw new UsageError(`wattlab ${spec.name}: unexpected argument "${arg}". Usage: ${spec.usage}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const negated = name.startsWith("no-") && byName.get(name.slice(3))?.kind === "boolean";
    const opt = byName.get(negated ? name.slice(3) : name);
    if (!opt) {
      const known = spec.options.map((o) => "--" + o.name).join(", ");
      throw new UsageError(`wattlab ${spec.name}: unknown option "--${name}". Known options: ${known || "(none)"}`);
    }
    if (opt.kind === "boolean") {
      options[opt.name] = negated ? false : eq > 0 ? arg.slice(eq + 1) !== "false" : true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`wattlab ${spec.name}: option --${opt.name} needs a value`);
    if (opt.kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`wattlab ${spec.name}: --${opt.name} must be a number, got "${value}"`);
      if (!withinBounds(opt, n)) throw new UsageError(`wattlab ${spec.name}: --${opt.name} must be ${boundsText(opt)}, got "${value}"`);
      options[opt.name] = checkChoice(spec, opt, n, value);
    } else if (opt.kind === "list") {
      const prior = Array.isArray(options[opt.name]) && options[opt.name] !== opt.default ? (options[opt.name] as string[]) : [];
      const parts = opt.repeatOnly ? [value] : value.split(",").map((s) => s.trim()).filter(Boolean);
      options[opt.name] = [...prior, ...parts.map((part) => checkChoice(spec, opt, part, part))];
    } else {
      options[opt.name] = checkChoice(spec, opt, value, value);
    }
  }
  return { options, positionals, rest };
}

function checkChoice<T extends string | number>(spec: CommandSpec, opt: OptionSpec, parsed: T, given: string): T {
  if (opt.choices && !opt.choices.includes(parsed)) {
    throw new UsageError(`wattlab ${spec.name}: --${opt.name} must be ${choiceText(opt.choices)}, got "${given}"`);
  }
  return parsed;
}

function withinBounds(opt: OptionSpec, n: number): boolean {
  return (!opt.whole || Number.isInteger(n)) && (opt.min === undefined || n >= opt.min)
    && (opt.above === undefined || n > opt.above) && (opt.max === undefined || n <= opt.max);
}

/** "a whole number ≥ 1", "a number > 0 and ≤ 1": what an option's declared bounds allow. */
function boundsText(opt: OptionSpec): string {
  const limits = [
    opt.min !== undefined ? `≥ ${opt.min}` : null, opt.above !== undefined ? `> ${opt.above}` : null, opt.max !== undefined ? `≤ ${opt.max}` : null,
  ].filter((l): l is string => l !== null);
  return [opt.whole ? "a whole number" : "a number", limits.join(" and ")].filter(Boolean).join(" ");
}

const hasBounds = (opt: OptionSpec): boolean => opt.whole === true || opt.min !== undefined || opt.above !== undefined || opt.max !== undefined;

const choiceText = (choices: readonly (string | number)[]): string =>
  choices.length > 1 ? `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}` : String(choices[0]);

export function commandHelp(spec: CommandSpec): string {
  const value = (o: OptionSpec) => (o.choices ? o.choices.join("|") : o.kind === "number" ? "n" : "v");
  const width = Math.max(0, ...spec.options.map((o) => o.name.length + (o.kind === "boolean" ? 0 : value(o).length + 5)));
  const lines = spec.options.map((o) => {
    const flag = `--${o.name}${o.kind === "boolean" ? "" : " <" + value(o) + ">"}`;
    const def = o.default !== undefined ? ` (default: ${Array.isArray(o.default) ? o.default.join(",") : o.default})` : "";
    const bounds = o.kind === "number" && hasBounds(o) ? ` [${boundsText(o)}]` : "";
    return `  ${flag.padEnd(width + 4)}  ${o.help}${def}${bounds}`;
  });
  return [`wattlab ${spec.name} — ${spec.summary}`, "", `usage: ${spec.usage}`, "", ...(lines.length ? ["options:", ...lines] : [])].join("\n");
}

/** Typed getters so commands read options without casts scattered around. */
export const get = {
  string(p: ParsedArgs, name: string): string | undefined {
    const v = p.options[name];
    return v === undefined ? undefined : String(v);
  },
  number(p: ParsedArgs, name: string): number | undefined {
    const v = p.options[name];
    return v === undefined ? undefined : Number(v);
  },
  boolean(p: ParsedArgs, name: string): boolean {
    return p.options[name] === true;
  },
  /** An option declared with `choices`, typed as one of them; `choices` should be the option's own list. */
  choice<T extends string | number>(p: ParsedArgs, name: string, choices: readonly T[]): T | undefined {
    const v = p.options[name];
    if (v === undefined) return undefined;
    if (!choices.includes(v as T)) throw new UsageError(`--${name} must be ${choiceText(choices)}, got "${v}"`);
    return v as T;
  },
  list(p: ParsedArgs, name: string): string[] {
    const v = p.options[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
  },
};
