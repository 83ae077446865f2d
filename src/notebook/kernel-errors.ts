// Turns what tslab's executor reports on failure into Jupyter `error` content (ename, evalue, traceback).
// tslab 1.0.22 only prints the thrown value to stderr and replies {status: "error"} with no name, value or
// traceback; frontends and our runner then cannot say what failed. The kernel fills them in from these.
import { inspect } from "node:util";

/** The content of a Jupyter `error` message and of an execute_reply whose status is "error". */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What a failed cell left behind: a thrown value, TypeScript diagnostics, or both absent (unknown cause). */
export interface CellFailure {
  thrown?: { value: unknown };
  diagnostics: string[];
  interrupted: boolean;
}

/** Messages V8 and tslab use when SIGINT stops a cell (breakOnSigint, or tslab's interrupt promise). */
const interruptMessages = new Set(["Script execution interrupted.", "Interrupted asynchronously"]);

export function describeFailure(failure: CellFailure): ErrorContent {
  if (failure.diagnostics.length > 0) return describeDiagnostics(failure.diagnostics);
  const value = failure.thrown?.value;
  if (failure.interrupted || (value instanceof Error && interruptMessages.has(value.message))) {
    return {
      ename: "Interrupted",
      evalue: "the cell was interrupted (SIGINT); work it started in the background may still be running",
      traceback: ["Interrupted: the cell was interrupted (SIGINT)"],
    };
  }
  if (failure.thrown) return describeThrown(value);
  return { ename: "Error", evalue: "the cell failed without reporting why", traceback: [] };
}

/** TypeScript diagnostics as tslab formats them ("3:7 - Type 'string' is not assignable …"). */
export function describeDiagnostics(lines: string[]): ErrorContent {
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : "";
  return { ename: "TSError", evalue: lines[0] + more, traceback: ["TSError: the cell does not type-check", ...lines] };
}

export function describeThrown(value: unknown): ErrorContent {
  if (isErrorLike(value)) {
    const ename = value.name || value.constructor?.name || "Error";
    const evalue = String(value.message);
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...userFrames(value.stack ?? "")] };
  }
  const evalue = `a non-Error value was thrown: ${inspect(value, { depth: 2 })}`;
  return { ename: "Error", evalue, traceback: [`Error: ${evalue}`] };
}

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === "object" && value !== null && "message" in value && "stack" in value);
}

/** Stack frames up to where tslab's own executor begins; its frames and Node internals only add noise. */
function userFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s+at /.test(line)) continue;
    if (/[\\/]tslab[\\/]dist[\\/]/.test(line)) break;
    if (!/\(node:|at node:/.test(line)) frames.push(line); // Node internals (vm, timers) say nothing about the cell
  }
  return frames;
}
