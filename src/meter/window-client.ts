// Named windows from the measured code's side: beginWindow/endWindow/markWindow/withWindow write one
// window-protocol line each to $WATTLAB_WINDOW_FD (set by `wattlab meter`), or to meterFunction() running in
// this process. Without either they do nothing, so instrumented code runs the same unmetered.
import { fstatSync, writeSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../version.js";
import { formatWindowEvent, WINDOW_FD_ENV, type WindowEvent } from "./window-protocol.js";

/** The Python helper (one file, no dependencies): put its folder on PYTHONPATH, or copy it beside your script. */
export function pythonWindowHelperPath(): string {
  return join(packageRoot(), "python", "wattlab_window.py");
}

/** Receives a line as soon as it is written (in-process metering). */
export type WindowSink = (line: string) => void;

let sink: WindowSink | null = null;
/** undefined: not looked at yet; null: no usable descriptor. */
let fd: number | null | undefined;

function warn(message: string): void {
  process.stderr.write(`wattlab windows: ${message}\n`);
}

/** The descriptor from the environment, checked once: it must be a pipe or socket, never a file to corrupt. */
function descriptor(): number | null {
  if (fd !== undefined) return fd;
  fd = null;
  const raw = process.env[WINDOW_FD_ENV];
  if (raw === undefined || raw === "") return fd;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    warn(`${WINDOW_FD_ENV}=${JSON.stringify(raw)} is not a file descriptor number: windows are not reported`);
    return fd;
  }
  try {
    const stat = fstatSync(n);
    if (!stat.isFIFO() && !stat.isSocket()) {
      warn(`${WINDOW_FD_ENV}=${n} is not a pipe (inherited by a process that \`wattlab meter\` did not start?): windows are not reported`);
      return fd;
    }
  } catch (error) {
    warn(`${WINDOW_FD_ENV}=${n} cannot be used (${(error as NodeJS.ErrnoException).code}): windows are not reported`);
    return fd;
  }
  fd = n;
  return fd;
}

function send(event: WindowEvent): void {
  const line = formatWindowEvent(event);
  if (sink) {
    sink(line);
    return;
  }
  const target = descriptor();
  if (target === null) return;
  const bytes = Buffer.from(`${line}\n`);
  let offset = 0;
  try {
    while (offset < bytes.length) {
      try {
        offset += writeSync(target, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      }
    }
  } catch (error) {
    fd = null;
    warn(`cannot write to ${WINDOW_FD_ENV}=${target} (${(error as NodeJS.ErrnoException).code}): later windows are not reported`);
  }
}

/** True when windows go somewhere: under `wattlab meter`, or inside meterFunction(). */
export function windowsEnabled(): boolean {
  return sink !== null || descriptor() !== null;
}

/** Opens window `name` (no whitespace or "="); nesting and overlap are allowed, names are unique while open. */
export function beginWindow(name: string): void {
  send({ type: "begin", name });
}

/** Closes window `name`. */
export function endWindow(name: string): void {
  send({ type: "end", name });
}

/**
 * Metadata for the innermost open window (the one begun last), or for window `name` (open, else the last one
 * closed); with no window open it describes the whole run. Values: numbers, strings, booleans.
 */
export function markWindow(values: Record<string, string | number | boolean>, name?: string): void {
  send({ type: "mark", window: name ?? null, values: values as Record<string, string | number> });
}

/** Runs `fn` inside window `name`; the window ends when fn returns, throws, or its promise settles. */
export function withWindow<T>(name: string, fn: () => T): T {
  beginWindow(name);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    endWindow(name);
    throw error;
  }
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    return Promise.resolve(result).finally(() => endWindow(name)) as T;
  }
  endWindow(name);
  return result;
}

/** Routes this process's window lines to `next` until the returned function is called (meterFunction). */
export function installWindowSink(next: WindowSink): () => void {
  if (sink) throw new Error("meterFunction is already running in this process: await it before starting another");
  sink = next;
  return () => {
    if (sink === next) sink = null;
  };
}
