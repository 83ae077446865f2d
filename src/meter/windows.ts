// Named windows (Zeus's begin_window/end_window): any number open at once, nested or overlapping,
// a duplicate begin or an unknown end is an error naming the key.

/** A window was misused: the message names the key, the open windows and what to do. */
export class MeterWindowError extends Error {
  override readonly name = "MeterWindowError";
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OpenWindow<T> {
  name: string;
  /** Unique per begin, so a name reused after cancel/restart never meets its old sampler state. */
  id: number;
  state: T;
}

export class WindowBook<T> {
  private readonly open = new Map<string, OpenWindow<T>>();
  private nextId = 1;

  names(): string[] {
    return [...this.open.keys()];
  }

  private listing(): string {
    const names = this.names();
    return names.length === 0 ? "none open" : `open: ${names.map((name) => JSON.stringify(name)).join(", ")}`;
  }

  /** Registers `name` synchronously, so two concurrent begins of one name cannot both succeed. */
  add(name: string, makeState: (id: number) => T): OpenWindow<T> {
    if (typeof name !== "string" || name === "") throw new MeterWindowError(String(name), `window name must be a non-empty string, got ${JSON.stringify(name)}`);
    if (this.open.has(name)) {
      throw new MeterWindowError(name, `window "${name}" is already open (${this.listing()}): end or cancel it first, or pick another name`);
    }
    const id = this.nextId++;
    const window = { name, id, state: makeState(id) };
    this.open.set(name, window);
    return window;
  }

  /** Removes and returns `name`; `verb` goes into the error ("end", "cancel"). */
  take(name: string, verb: string): OpenWindow<T> {
    const window = this.open.get(name);
    if (!window) {
      throw new MeterWindowError(
        name,
        `cannot ${verb} window "${name}": it is not open (${this.listing()}); begin it first — it may have been ended, cancelled, or dropped by restart()`,
      );
    }
    this.open.delete(name);
    return window;
  }

  /** Removes this very window if it is still open (not a later one of the same name). */
  discard(window: OpenWindow<T>): void {
    if (this.open.get(window.name)?.id === window.id) this.open.delete(window.name);
  }

  /** Drops every window; returns them. */
  clear(): OpenWindow<T>[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }
}
