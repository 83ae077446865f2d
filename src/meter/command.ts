// `wattlab meter -- cmd …`: runs a child process inside one window and returns what it cost.
import { spawn, type StdioOptions } from "node:child_process";
import type { MeterDescription } from "./description.js";
import type { IdleBaseline } from "./measure.js";
import { Meter, type MeterOptions } from "./meter.js";
import type { WindowMeasurement } from "./types.js";

export interface MeterCommandOptions extends MeterOptions {
  /** Default "command". */
  windowName?: string;
  /** Measure idle power for this long before starting the command. Units: s. */
  idleSeconds?: number;
  /** Default "inherit". */
  stdio?: StdioOptions;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface MeterCommandResult {
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  measurement: WindowMeasurement;
  idle: IdleBaseline | null;
  description: MeterDescription;
}

export async function meterCommand(argv: string[], options: MeterCommandOptions = {}): Promise<MeterCommandResult> {
  if (argv.length === 0) throw new TypeError("meterCommand needs a command, e.g. meterCommand([\"python3\", \"bench.py\"])");
  const { windowName = "command", idleSeconds, stdio = "inherit", cwd, env, ...meterOptions } = options;
  const meter = await Meter.open(meterOptions);
  try {
    const idle = idleSeconds ? await meter.measureIdle(idleSeconds) : null;
    await meter.begin(windowName);
    let exit: { code: number | null; signal: NodeJS.Signals | null };
    try {
      exit = await new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio, cwd, env });
        child.once("error", (error: NodeJS.ErrnoException) =>
          reject(new Error(`cannot run "${argv[0]}" (${error.code ?? error.message}): check that it is installed and on PATH`)),
        );
        child.once("exit", (code, signal) => resolve({ code, signal }));
      });
    } catch (error) {
      meter.cancel(windowName);
      throw error;
    }
    const measurement = await meter.end(windowName);
    return { argv, exitCode: exit.code, signal: exit.signal, measurement, idle, description: meter.describe() };
  } finally {
    await meter.close();
  }
}
