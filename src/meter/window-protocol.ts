// The window protocol: a child of `wattlab meter` names windows by writing one line per event on the file
// descriptor given in $WATTLAB_WINDOW_FD.
//
//   begin NAME                 opens window NAME (nesting and overlap allowed; names are unique while open)
//   end NAME                   closes it
//   mark KEY=VALUE …           metadata for the innermost open window (the one begun last), or the whole
//                              command when none is open
//   mark NAME KEY=VALUE …      metadata for window NAME: the open one, else the last one closed
//
// NAME: 1–200 characters, no whitespace, no "=". KEY: a letter or "_", then letters, digits, "_", "." or "-".
// VALUE: a number (kept as a number), a word without whitespace, or a JSON string ("two words"); a repeated
// key keeps its last value. Blank lines are ignored; anything else is malformed and reported, never fatal.
// wattlab timestamps each line when it arrives: the window's time is the line's, not the reading's.
import { StringDecoder } from "node:string_decoder";

/** The environment variable holding the descriptor number. */
export const WINDOW_FD_ENV = "WATTLAB_WINDOW_FD";

/** A line longer than this is malformed (and dropped up to its newline). Units: bytes (as characters). */
export const MAX_LINE_LENGTH = 8192;
const MAX_NAME_LENGTH = 200;

export type MarkValue = string | number;

export type WindowEvent =
  | { type: "begin"; name: string }
  | { type: "end"; name: string }
  | { type: "mark"; window: string | null; values: Record<string, MarkValue> };

export type ParsedLine = WindowEvent | { type: "malformed"; reason: string };

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Why `name` cannot name a window, or null when it can. */
export function windowNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name === "") return `a window name must be a non-empty string, got ${JSON.stringify(name)}`;
  if (name.length > MAX_NAME_LENGTH) return `window name "${name.slice(0, 40)}…" is ${name.length} characters long: the limit is ${MAX_NAME_LENGTH}`;
  if (/[\s=]/.test(name)) return `window name ${JSON.stringify(name)} holds whitespace or "=": use e.g. "_" instead`;
  return null;
}

/** Why `key` cannot be a mark key, or null when it can. */
export function markKeyProblem(key: string): string | null {
  return KEY.test(key) ? null : `mark key ${JSON.stringify(key)} must start with a letter or "_" and hold only letters, digits, "_", "." or "-"`;
}

function parseValue(raw: string): MarkValue {
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}

/** Splits `KEY=VALUE` tokens, where a VALUE may be a JSON string holding spaces. */
function parseMarks(text: string): Record<string, MarkValue> | string {
  const values: Record<string, MarkValue> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const eq = text.indexOf("=", i);
    const space = text.slice(i).search(/\s/);
    if (eq < 0 || (space >= 0 && i + space < eq)) return `"${text.slice(i, space < 0 ? undefined : i + space)}" is not KEY=VALUE`;
    const key = text.slice(i, eq);
    const keyProblem = markKeyProblem(key);
    if (keyProblem) return keyProblem;
    i = eq + 1;
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return `the quoted value of ${key} has no closing quote`;
      try {
        values[key] = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        return `the quoted value of ${key} is not a JSON string`;
      }
      i = j + 1;
      if (i < text.length && !/\s/.test(text[i])) return `the quoted value of ${key} runs into "${text.slice(i, i + 10)}" without a space`;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j])) j++;
      values[key] = parseValue(text.slice(i, j));
      i = j;
    }
  }
  return values;
}

/** One line (without its newline); null for a blank line. */
export function parseWindowLine(line: string): ParsedLine | null {
  const text = line.trim();
  if (text === "") return null;
  const space = text.search(/\s/);
  const verb = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? "" : text.slice(space).trim();
  switch (verb) {
    case "begin":
    case "end": {
      if (rest === "") return { type: "malformed", reason: `"${verb}" needs a window name, e.g. "${verb} decode"` };
      const problem = windowNameProblem(rest);
      if (problem) return { type: "malformed", reason: problem };
      return { type: verb, name: rest };
    }
    case "mark": {
      const first = rest.split(/\s/, 1)[0];
      const named = first !== "" && !first.includes("=");
      const window = named ? first : null;
      if (window !== null) {
        const problem = windowNameProblem(window);
        if (problem) return { type: "malformed", reason: problem };
      }
      const values = parseMarks(named ? rest.slice(first.length) : rest);
      if (typeof values === "string") return { type: "malformed", reason: values };
      if (Object.keys(values).length === 0) return { type: "malformed", reason: `"mark" needs KEY=VALUE pairs, e.g. "mark tokens=128"` };
      return { type: "mark", window, values };
    }
    default:
      return { type: "malformed", reason: `unknown verb "${verb.slice(0, 40)}": lines start with begin, end or mark` };
  }
}

function formatValue(key: string, value: unknown): string {
  const keyProblem = markKeyProblem(key);
  if (keyProblem) throw new TypeError(keyProblem);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`mark ${key}=${value}: a number must be finite`);
    return `${key}=${value}`;
  }
  if (typeof value === "boolean") return `${key}=${value}`;
  if (typeof value !== "string") throw new TypeError(`mark ${key}: values are strings, numbers or booleans, got ${typeof value}`);
  const plain = value !== "" && !/[\s"]/.test(value) && !NUMBER.test(value);
  return `${key}=${plain ? value : JSON.stringify(value)}`;
}

/** The line (without newline) for an event; throws TypeError naming a bad name, key or value. */
export function formatWindowEvent(event: WindowEvent): string {
  if (event.type === "mark") {
    if (event.window !== null) {
      const problem = windowNameProblem(event.window);
      if (problem) throw new TypeError(problem);
    }
    const pairs = Object.entries(event.values).map(([key, value]) => formatValue(key, value));
    if (pairs.length === 0) throw new TypeError("mark needs at least one KEY=VALUE, e.g. { tokens: 128 }");
    return ["mark", ...(event.window === null ? [] : [event.window]), ...pairs].join(" ");
  }
  const problem = windowNameProblem(event.name);
  if (problem) throw new TypeError(problem);
  return `${event.type} ${event.name}`;
}

export interface ReceivedLine {
  /** 1-based, counting every line received (blank ones too). */
  lineNo: number;
  /** Arrival time of the chunk that completed the line, on the caller's clock. */
  atMs: number;
  /** The line, shortened for messages. */
  text: string;
  parsed: ParsedLine;
}

/**
 * Bytes → lines: keeps a partial line until its newline arrives, decodes UTF-8 across chunk boundaries, and
 * reports an over-long line once as malformed. The caller timestamps each chunk on arrival, before parsing.
 */
export class WindowLineReader {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private overflow = false;
  private lineNo = 0;

  constructor(private readonly onLine: (line: ReceivedLine) => void) {}

  push(chunk: Buffer | string, atMs: number): void {
    let text = this.pending + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    let newline = text.indexOf("\n");
    while (newline >= 0) {
      this.emit(text.slice(0, newline), atMs);
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    if (text.length > MAX_LINE_LENGTH) {
      if (!this.overflow) this.emitOverflow(text, atMs);
      this.overflow = true;
      text = "";
    }
    this.pending = text;
  }

  /** The stream ended: a last line without a newline still counts. */
  end(atMs: number): void {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    if (rest !== "" || this.overflow) this.emit(rest, atMs);
  }

  private emitOverflow(text: string, atMs: number): void {
    this.lineNo++;
    this.onLine({ lineNo: this.lineNo, atMs, text: shorten(text), parsed: { type: "malformed", reason: `longer than ${MAX_LINE_LENGTH} characters (a missing newline?)` } });
  }

  private emit(line: string, atMs: number): void {
    if (this.overflow) {
      // The tail of an over-long line, already reported.
      this.overflow = false;
      return;
    }
    this.lineNo++;
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    const parsed = text.length > MAX_LINE_LENGTH ? { type: "malformed" as const, reason: `longer than ${MAX_LINE_LENGTH} characters` } : parseWindowLine(text);
    if (parsed) this.onLine({ lineNo: this.lineNo, atMs, text: shorten(text), parsed });
  }
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
