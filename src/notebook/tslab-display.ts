// Sends a multi-mime display_data from inside the tslab kernel. tslab's public `display.raw(mime, data)` sends one
// mime type per message, so a chart would become several outputs; we call the writer it keeps for the current
// cell (`lastWriteDisplayData` in tslab's dist/jupyter.js) with the whole bundle instead.
import { createRequire } from "node:module";

type WriteDisplayData = (data: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: object }, update: boolean) => void;

/** The writer of the tslab kernel running this process, or null outside a kernel (plain node, tests). */
function currentWriter(): WriteDisplayData | null {
  // tslab sets globalThis.__tslab__ when it creates its executor; without it we are not in a kernel.
  if (!(globalThis as { __tslab__?: unknown }).__tslab__) return null;
  const cache = createRequire(import.meta.url).cache;
  for (const [file, module] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const writer = (module?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === "function") return writer as WriteDisplayData;
  }
  return null;
}

/** True inside a running tslab kernel cell, where displayBundle shows output. */
export function insideKernel(): boolean {
  return currentWriter() !== null;
}

/** Show one output with several representations; false (and nothing sent) outside a kernel. */
export function displayBundle(data: Record<string, unknown>, metadata: Record<string, unknown> = {}): boolean {
  const write = currentWriter();
  if (!write) return false;
  write({ data, metadata, transient: {} }, false);
  return true;
}
