// Turns window-protocol lines (from a child's pipe or in-process calls) into windows on a Meter. The lines
// come already timestamped; every misuse becomes a warning naming the line, never an exception.
import type { Meter } from "./meter.js";
import type { WindowMeasurement } from "./types.js";
import type { MarkValue, ReceivedLine } from "./window-protocol.js";

/** A window named by the measured code. */
export interface NamedWindow extends WindowMeasurement {
  /** From `mark` lines; a repeated key keeps its last value. */
  marks: Record<string, MarkValue>;
  /** "end": the code ended it; "exit": it was still open when the code finished, and is measured up to then. */
  closedBy: "end" | "exit";
  /** The innermost window open when this one began, or null. */
  parent: string | null;
}

export interface RecordedWindows {
  /** In the order they began. */
  windows: NamedWindow[];
  /** Marks sent while no window was open: they describe the whole run. */
  marks: Record<string, MarkValue>;
  /** Malformed lines, unknown ends, duplicate begins, unclosed windows: one line each. */
  warnings: string[];
  /** Whether any line arrived at all (a silent child gets the plain output). */
  used: boolean;
}

interface Entry {
  name: string;
  /** The meter's own key, unique, so a child's names never meet the caller's windows. */
  key: string;
  lineNo: number;
  parent: string | null;
  marks: Record<string, MarkValue>;
  begun: Promise<void>;
  settled?: Promise<void>;
  result?: NamedWindow;
}

let recorders = 0;

export class WindowRecorder {
  private readonly prefix = `wattlab:named#${++recorders}:`;
  private readonly entries: Entry[] = [];
  private readonly open = new Map<string, Entry>();
  private readonly lastClosed = new Map<string, Entry>();
  private readonly commandMarks: Record<string, MarkValue> = {};
  private readonly warnings: string[] = [];
  private used = false;
  private finished = false;

  constructor(private readonly meter: Meter) {}

  /** One received line; call in arrival order. Starts the meter's begin/end at once (not awaited). */
  handle(line: ReceivedLine): void {
    if (this.finished) return;
    this.used = true;
    const { parsed, lineNo, atMs } = line;
    const where = `line ${lineNo} ("${line.text}")`;
    switch (parsed.type) {
      case "malformed":
        this.warnings.push(`${where}: malformed, ${parsed.reason}; ignored`);
        return;
      case "begin": {
        const already = this.open.get(parsed.name);
        if (already) {
          this.warnings.push(`${where}: window "${parsed.name}" is already open (begun on line ${already.lineNo}); this begin is ignored: end it first or pick another name`);
          return;
        }
        const entry: Entry = { name: parsed.name, key: `${this.prefix}${this.entries.length}`, lineNo, parent: this.innermost()?.name ?? null, marks: {}, begun: Promise.resolve() };
        entry.begun = this.meter.begin(entry.key, { atMs }).catch((error: Error) => {
          this.warnings.push(`${where}: window "${parsed.name}" could not begin: ${error.message}`);
        });
        this.entries.push(entry);
        this.open.set(parsed.name, entry);
        return;
      }
      case "end": {
        const entry = this.open.get(parsed.name);
        if (!entry) {
          this.warnings.push(`${where}: no window "${parsed.name}" is open (${this.listing()}); this end is ignored`);
          return;
        }
        this.close(entry, atMs, "end");
        return;
      }
      case "mark": {
        const target = parsed.window === null ? this.innermost() : this.open.get(parsed.window) ?? this.lastClosed.get(parsed.window);
        if (parsed.window !== null && !target) {
          this.warnings.push(`${where}: no window "${parsed.window}" is open or was closed (${this.listing()}); these marks are ignored`);
          return;
        }
        Object.assign(target ? target.marks : this.commandMarks, parsed.values);
        return;
      }
    }
  }

  /** Closes what is still open at `atMs` (the end of the run), waits for every reading, returns what was recorded. */
  async finish(atMs: number): Promise<RecordedWindows> {
    if (!this.finished) {
      this.finished = true;
      for (const entry of [...this.open.values()]) {
        this.warnings.push(`window "${entry.name}" (begun on line ${entry.lineNo}) was never ended: measured up to the end of the run`);
        this.close(entry, atMs, "exit");
      }
    }
    await Promise.all(this.entries.map((entry) => entry.settled ?? entry.begun));
    return {
      windows: this.entries.flatMap((entry) => (entry.result ? [entry.result] : [])),
      marks: { ...this.commandMarks },
      warnings: [...this.warnings],
      used: this.used,
    };
  }

  private close(entry: Entry, atMs: number, closedBy: NamedWindow["closedBy"]): void {
    this.open.delete(entry.name);
    this.lastClosed.set(entry.name, entry);
    // begin() registered the key synchronously, so end() finds it even before the begin reading returns.
    entry.settled = this.meter.end(entry.key, { atMs }).then(
      (measurement) => {
        entry.result = { ...measurement, name: entry.name, marks: entry.marks, closedBy, parent: entry.parent };
      },
      (error: Error) => {
        // A failed begin already said why.
        if (!/is not open/.test(error.message)) this.warnings.push(`window "${entry.name}" (begun on line ${entry.lineNo}) could not be measured: ${error.message}`);
      },
    );
  }

  private innermost(): Entry | undefined {
    let last: Entry | undefined;
    for (const entry of this.open.values()) last = entry;
    return last;
  }

  private listing(): string {
    const names = [...this.open.keys()];
    return names.length === 0 ? "none open" : `open: ${names.map((name) => `"${name}"`).join(", ")}`;
  }
}
