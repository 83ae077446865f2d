// `wattlab meter -- cmd …`: runs a child process inside one window and returns what it cost, with the windows
// the child named on $WATTLAB_WINDOW_FD (see window-protocol.ts). meterFunction does the same for a function
// in this process, whose windows come from window-client.ts.
import { spawn, type StdioOptions } from "node:child_process";
import type { Readable } from "node:stream";
import type { MeterDescription } from "./description.js";
import type { IdleBaseline } from "./measure.js";
import { Meter, type MeterOptions } from "./meter.js";
import type { PowerSample, WindowMeasurement } from "./types.js";
import { installWindowSink } from "./window-client.js";
import { WINDOW_FD_ENV, WindowLineReader, type MarkValue } from "./window-protocol.js";
import { WindowRecorder, type NamedWindow, type RecordedWindows } from "./window-recorder.js";

export interface MeterCommandOptions extends MeterOptions {
  /** Default "command". */
  windowName?: string;
  /** Measure idle power for this long before starting the command. Units: s. */
  idleSeconds?: number;
  /** Default "inherit". The window pipe is added after these. */
  stdio?: StdioOptions;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Give the child a pipe for named windows, its number in $WATTLAB_WINDOW_FD. Default true. */
  windows?: boolean;
}

/** What the measured code's named windows gave, beside the whole run. */
export interface NamedWindowsResult {
  /** The windows the code named, in the order they began; empty when it named none. */
  windows: NamedWindow[];
  /** Marks sent while no window was open: they describe the whole run. */
  marks: Record<string, MarkValue>;
  /** Malformed lines, unknown ends, duplicate begins, windows never ended; never fatal. */
  windowWarnings: string[];
  /** Whether the code sent any window line at all. */
  windowsUsed: boolean;
  /** Power samples from the start of the run to its end, on the windows' clock (ms since the meter opened). */
  trace: PowerSample[];
  /** Unix time of that clock's zero: startMs + clockZeroMs is when a window began. Units: ms. */
  clockZeroMs: number;
}

export interface MeterCommandResult extends NamedWindowsResult {
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  measurement: WindowMeasurement;
  idle: IdleBaseline | null;
  description: MeterDescription;
}

/** The child's stdio with the window pipe appended; its index is the child's descriptor number. */
function stdioWithWindowPipe(stdio: StdioOptions): { stdio: StdioOptions; fd: number } {
  const base = typeof stdio === "string" ? [stdio, stdio, stdio] : [...stdio];
  while (base.length < 3) base.push("inherit");
  return { stdio: [...base, "pipe"], fd: base.length };
}

/** Waits for the pipe to end (its writers all closed it), at most `ms`: a grandchild may still hold it open. */
function drained(pipe: Readable | null, ms: number): Promise<void> {
  if (!pipe || pipe.readableEnded || pipe.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pipe.off("end", done).off("close", done);
      pipe.destroy();
      resolve();
    };
    const timer = setTimeout(done, ms);
    pipe.once("end", done).once("close", done);
  });
}

function namedResult(meter: Meter, recorded: RecordedWindows, measurement: WindowMeasurement): NamedWindowsResult {
  const trace = meter.trace(measurement.startMs, measurement.endMs);
  return { windows: recorded.windows, marks: recorded.marks, windowWarnings: recorded.warnings, windowsUsed: recorded.used, trace, clockZeroMs: meter.clockZeroMs };
}

export async function meterCommand(argv: string[], options: MeterCommandOptions = {}): Promise<MeterCommandResult> {
  if (argv.length === 0) throw new TypeError("meterCommand needs a command, e.g. meterCommand([\"python3\", \"bench.py\"])");
  const { windowName = "command", idleSeconds, stdio = "inherit", cwd, env, windows = true, ...meterOptions } = options;
  const meter = await Meter.open(meterOptions);
  try {
    const idle = idleSeconds ? await meter.measureIdle(idleSeconds) : null;
    const recorder = new WindowRecorder(meter);
    const reader = new WindowLineReader((line) => recorder.handle(line));
    const io = windows ? stdioWithWindowPipe(stdio) : { stdio, fd: null };
    const childEnv = io.fd === null ? env : { ...(env ?? process.env), [WINDOW_FD_ENV]: String(io.fd) };
    await meter.begin(windowName);
    let exit: { code: number | null; signal: NodeJS.Signals | null; atMs: number; measured: Promise<WindowMeasurement> };
    try {
      exit = await new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: io.stdio, cwd, env: childEnv });
        const pipe = io.fd === null ? null : (child.stdio[io.fd] as Readable | null);
        let exitMs: number | null = null;
        // The hot path: timestamp first, then split and parse; the meter's readings are asked for, not awaited.
        pipe?.on("data", (chunk: Buffer) => reader.push(chunk, exitMs ?? meter.nowMs()));
        pipe?.on("error", () => undefined);
        child.once("error", (error: NodeJS.ErrnoException) =>
          reject(new Error(`cannot run "${argv[0]}" (${error.code ?? error.message}): check that it is installed and on PATH`)),
        );
        child.once("exit", (code, signal) => {
          const atMs = (exitMs = meter.nowMs());
          const measured = meter.end(windowName, { atMs });
          measured.catch(() => undefined);
          // Lines still in the pipe were written before the exit: read them, dated no later than it.
          void drained(pipe, 250).then(() => {
            reader.end(atMs);
            resolve({ code, signal, atMs, measured });
          });
        });
      });
    } catch (error) {
      meter.cancel(windowName);
      throw error;
    }
    const recorded = await recorder.finish(exit.atMs);
    const measurement = await exit.measured;
    return { argv, exitCode: exit.code, signal: exit.signal, measurement, idle, description: meter.describe(), ...namedResult(meter, recorded, measurement) };
  } finally {
    await meter.close();
  }
}

export interface MeterFunctionOptions extends MeterOptions {
  /** Default "function". */
  windowName?: string;
  /** Measure idle power for this long before calling the function. Units: s. */
  idleSeconds?: number;
}

export interface MeterFunctionResult<T> extends NamedWindowsResult {
  /** What the function returned (awaited). */
  value: T;
  measurement: WindowMeasurement;
  idle: IdleBaseline | null;
  description: MeterDescription;
}

/**
 * Calls `fn` inside one window on a fresh meter; the windows it names with beginWindow/endWindow/withWindow
 * (and marks) are measured as `wattlab meter` measures a child's. A throw from `fn` is rethrown.
 */
export async function meterFunction<T>(fn: () => T | Promise<T>, options: MeterFunctionOptions = {}): Promise<MeterFunctionResult<Awaited<T>>> {
  const { windowName = "function", idleSeconds, ...meterOptions } = options;
  const meter = await Meter.open(meterOptions);
  try {
    const idle = idleSeconds ? await meter.measureIdle(idleSeconds) : null;
    const recorder = new WindowRecorder(meter);
    const reader = new WindowLineReader((line) => recorder.handle(line));
    const uninstall = installWindowSink((line) => reader.push(`${line}\n`, meter.nowMs()));
    let value: Awaited<T>;
    let endMs: number;
    try {
      await meter.begin(windowName);
      value = await fn();
    } catch (error) {
      if (meter.openWindows().includes(windowName)) meter.cancel(windowName);
      throw error;
    } finally {
      endMs = meter.nowMs();
      uninstall();
    }
    const measured = meter.end(windowName, { atMs: endMs });
    measured.catch(() => undefined);
    const recorded = await recorder.finish(endMs);
    const measurement = await measured;
    return { value, measurement, idle, description: meter.describe(), ...namedResult(meter, recorded, measurement) };
  } finally {
    await meter.close();
  }
}
