// wattlab's command line: a thin layer over the library. Each command lives in ./commands/<name>.ts and
// declares its options once; this file only dispatches and turns errors into one clear line.
import { commandHelp, parseArgs, UsageError, type CommandSpec } from "./args.js";

/** Loaded lazily so `wattlab --help` does not load onnxruntime, koffi or llama.cpp. */
const commands: Record<string, { summary: string; load: () => Promise<CommandSpec> }> = {
  main: { summary: "the main job: build the tiny model, run every notebook headless, print a summary", load: async () => (await import("./commands/main.js")).mainCommand },
  generate: { summary: "generate tokens with a model and report timings and energy (one generation's share of a window of them)", load: async () => (await import("./commands/generate.js")).generateCommand },
  profile: { summary: "profile one onnxruntime generation per operator type (where a decode step's time goes)", load: async () => (await import("./commands/profile.js")).profileCommand },
  "build-model": { summary: "build an ONNX or GGUF model with seeded weights at a preset's true shapes", load: async () => (await import("./commands/build-model.js")).buildModelCommand },
  quantize: { summary: "rewrite an ONNX model's MatMul weights to 8 or 4 bits (MatMulNBits)", load: async () => (await import("./commands/quantize.js")).quantizeCommand },
  sweep: { summary: "run a sweep (one-at-a-time or grid) and append rows to the results store", load: async () => (await import("./commands/sweep.js")).sweepCommand },
  merge: { summary: "merge shard result files into one JSONL + CSV", load: async () => (await import("./commands/merge.js")).mergeCommand },
  compare: { summary: "set two results folders side by side: B over A per configuration with its 95% interval, and the settings they differ in", load: async () => (await import("./commands/compare.js")).compareCommand },
  meter: { summary: "measure the energy of any command: wattlab meter -- <command…>", load: async () => (await import("./commands/meter.js")).meterCommand },
  info: { summary: "print the GPUs, meters and execution providers found, and why any is missing", load: async () => (await import("./commands/info.js")).infoCommand },
  run: { summary: "execute notebooks headless through the tslab kernel", load: async () => (await import("./commands/run.js")).runCommand },
  kernel: { summary: "kernel install: register the wattlab Jupyter kernel (tslab)", load: async () => (await import("./commands/kernel.js")).kernelCommand },
  bundle: { summary: "pack the CLI, its native packages and optionally Node into one folder for an offline (air-gapped) node", load: async () => (await import("./commands/bundle.js")).bundleCommand },
  serve: { summary: "serve a model over an OpenAI-compatible HTTP API, each answer's usage carrying its energy", load: async () => (await import("./commands/serve.js")).serveCommand },
  slurm: { summary: "write (and with --submit, submit) a sweep as a Slurm job array of shards plus a dependent merge", load: async () => (await import("./commands/slurm.js")).slurmCommand },
};

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    "wattlab — measure what LLM inference costs: joules, watts, seconds, memory and gCO2eq",
    "",
    "usage: wattlab <command> [options]      wattlab <command> --help",
    "",
    "commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(overview());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    const { wattlabVersion } = await import("../version.js");
    console.log(wattlabVersion());
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`wattlab: unknown command "${name}". Commands: ${Object.keys(commands).join(", ")}. See wattlab --help.`);
    return 2;
  }
  let spec: CommandSpec;
  try {
    spec = await entry.load();
  } catch (error) {
    // a missing or broken dependency of the command (a native package, a stale build): one line, the stack on demand
    const e = error as Error & { code?: unknown };
    const why = String(e?.message ?? error).split("\n")[0];
    console.error(`wattlab ${name}: the command could not be loaded (${typeof e?.code === "string" ? e.code + ": " : ""}${why}); ` +
      "reinstall wattlab's dependencies (npm ci) and rebuild (npm run build); WATTLAB_DEBUG=1 prints the stack");
    if (process.env.WATTLAB_DEBUG) console.error(e?.stack);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(spec));
    return 0;
  }
  try {
    await spec.run(parseArgs(spec, rest));
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    const e = error as Error;
    console.error(`wattlab ${name}: ${e?.name && e.name !== "Error" ? e.name + ": " : ""}${e?.message ?? String(error)}`);
    if (process.env.WATTLAB_DEBUG) console.error(e?.stack);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
