// Server-sent events, as OpenAI-compatible servers stream them: `data:` lines, events ended by a blank line, `:`
// comments (keep-alives) ignored, other fields (event:, id:, retry:) ignored. Text may be split anywhere across reads,
// a CR LF pair included; lines end with LF, CR LF or CR.

export class SseParser {
  private buffer = "";
  private data: string[] = [];

  /** Feeds decoded text; returns the data of every event it completed, in order. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A CR at the very end may be the first half of a CR LF pair still to come: wait for more text.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, out);
    }
    return out;
  }

  /** The stream ended: whatever event was still open counts (lenient, as browsers are not, but servers do this). */
  end(): string[] {
    const out: string[] = [];
    if (this.buffer !== "") this.line(this.buffer.replace(/\r$/, ""), out);
    this.buffer = "";
    this.line("", out);
    return out;
  }

  private line(line: string, out: string[]): void {
    if (line === "") {
      if (this.data.length) out.push(this.data.join("\n"));
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== "data") return;
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.data.push(value);
  }
}
