// Command-line options of `npm run bench` (bench/run.ts), declared once here.
import { parseArgs } from "node:util";

export const BENCH_SECTIONS = ["engine", "llamacpp", "meter", "build", "graph"] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchArgs {
  /** Fewer repeats and small models only: a smoke test in under two minutes. */
  quick: boolean;
  /** Where to write every row and each benchmark's full record as JSON. */
  jsonPath?: string;
  /** Sections to run, in the order of BENCH_SECTIONS. */
  sections: BenchSection[];
  help: boolean;
}

export const BENCH_USAGE = `usage: node dist/bench/run.js [--quick] [--json FILE] [--only ${BENCH_SECTIONS.join(",")}]
  --quick      fewer repeats, small models only (a smoke test, under 2 minutes)
  --json FILE  also write every row and each benchmark's full record to FILE
  --only LIST  run only these sections (comma-separated): ${BENCH_SECTIONS.join(", ")}`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values: { quick?: boolean; json?: string; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { quick: { type: "boolean" }, json: { type: "string" }, only: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true, allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`bench: ${(error as Error).message}\n${BENCH_USAGE}`);
  }
  if (values.json !== undefined && values.json.trim() === "") throw new Error(`bench: --json needs a file name\n${BENCH_USAGE}`);
  let sections: BenchSection[] = [...BENCH_SECTIONS];
  if (values.only !== undefined) {
    const asked = values.only.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = asked.filter((s) => !(BENCH_SECTIONS as readonly string[]).includes(s));
    if (unknown.length > 0 || asked.length === 0) {
      throw new Error(`bench: unknown section "${unknown.join(",") || values.only}" in --only. Should be one of: ${BENCH_SECTIONS.join(", ")}`);
    }
    sections = BENCH_SECTIONS.filter((s) => asked.includes(s));
  }
  return { quick: values.quick ?? false, jsonPath: values.json, sections, help: values.help ?? false };
}
