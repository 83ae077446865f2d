// Rows of text cells as lines whose columns line up, two spaces apart: the command line's tables.

/** The header and rows as aligned lines, each after `indent`; columns in `right` are right-aligned (numbers). */
export function alignedLines(header: readonly string[], rows: readonly (readonly string[])[], options: { indent?: string; right?: ReadonlySet<number> } = {}): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: readonly string[]) =>
    `${options.indent ?? ""}${cells.map((cell, c) => (options.right?.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
