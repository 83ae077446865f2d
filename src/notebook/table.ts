// Renders a table (a danfo DataFrame or an array of records) as HTML and as aligned plain text.

/** What showTable accepts: records, or anything shaped like a danfo DataFrame (columns, values, index). */
export type TableLike = Record<string, unknown>[] | { columns: string[]; values: unknown; index?: unknown };

export interface TableOptions {
  /** Rows shown; longer tables show their head and tail around an ellipsis row. */
  maxRows?: number;
  caption?: string;
}

interface Table {
  columns: string[];
  rows: unknown[][];
  index?: unknown[];
}

export function toTable(input: TableLike): Table {
  if (Array.isArray(input)) {
    const columns = [...new Set(input.flatMap((record) => Object.keys(record)))];
    return { columns, rows: input.map((record) => columns.map((column) => record[column])) };
  }
  if (input && Array.isArray(input.columns) && Array.isArray(input.values)) {
    const values = input.values as unknown[];
    const rows = values.map((row) => (Array.isArray(row) ? row : [row]));
    return { columns: input.columns, rows, index: Array.isArray(input.index) ? input.index : undefined };
  }
  throw new Error("showTable: expected an array of records or a danfo DataFrame (with columns and values)");
}

/** Numbers to 6 significant digits: enough to read, short enough to align. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Row positions to show; null marks the elided middle. */
function shownRows(count: number, maxRows: number): (number | null)[] {
  if (count <= maxRows) return Array.from({ length: count }, (_, i) => i);
  const head = Math.ceil(maxRows / 2);
  const tail = maxRows - head;
  return [...Array.from({ length: head }, (_, i) => i), null, ...Array.from({ length: tail }, (_, i) => count - tail + i)];
}

export function tableText(table: Table, options: TableOptions = {}): string {
  const header = [...(table.index ? [""] : []), ...table.columns];
  const body = shownRows(table.rows.length, options.maxRows ?? 40).map((i) =>
    i === null ? header.map(() => "…") : [...(table.index ? [formatCell(table.index[i])] : []), ...table.rows[i]!.map(formatCell)],
  );
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c]!)).join("  ").trimEnd();
  const lines = [line(header), ...body.map(line)];
  if (table.rows.length > (options.maxRows ?? 40)) lines.push(`[${table.rows.length} rows × ${table.columns.length} columns]`);
  return (options.caption ? options.caption + "\n" : "") + lines.join("\n");
}

export function tableHtml(table: Table, options: TableOptions = {}): string {
  const th = (text: string) => `<th>${escapeHtml(text)}</th>`;
  const head = `<tr>${table.index ? "<th></th>" : ""}${table.columns.map(th).join("")}</tr>`;
  const width = table.columns.length + (table.index ? 1 : 0);
  const rows = shownRows(table.rows.length, options.maxRows ?? 40).map((i) => {
    if (i === null) return `<tr>${"<td>…</td>".repeat(width)}</tr>`;
    const index = table.index ? th(formatCell(table.index[i])) : "";
    return `<tr>${index}${table.rows[i]!.map((cell) => `<td>${escapeHtml(formatCell(cell))}</td>`).join("")}</tr>`;
  });
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const size = `<p>${table.rows.length} rows × ${table.columns.length} columns</p>`;
  return `<table class="wattlab-table">${caption}<thead>${head}</thead><tbody>${rows.join("")}</tbody></table>${size}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
