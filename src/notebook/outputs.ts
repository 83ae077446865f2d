// Turns the iopub messages of one execute_request into nbformat 4 outputs, as nbclient does:
// consecutive stream chunks merge, clear_output(wait) clears at the next output, update_display_data rewrites
// earlier outputs that carry the same display_id (in any cell, hence the shared `displays` map).
import { toLines, type Output } from "./nbformat.js";
import type { Message } from "./wire.js";

type Bundle = { data?: Record<string, unknown>; metadata?: Record<string, unknown>; transient?: { display_id?: string } };

export type DisplayRegistry = Map<string, { data: Record<string, unknown>; metadata: Record<string, unknown> }[]>;

export function outputsFromMessages(messages: Message[], executionCount: number, displays: DisplayRegistry): Output[] {
  let outputs: Output[] = [];
  let clearBeforeNext = false;
  const add = (output: Output) => {
    if (clearBeforeNext) {
      outputs = [];
      clearBeforeNext = false;
    }
    const last = outputs[outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = String(last.text) + String(output.text);
    } else outputs.push(output);
  };
  for (const { header, content } of messages) {
    const c = content as Record<string, unknown> & Bundle;
    switch (header.msg_type) {
      case "stream":
        add({ output_type: "stream", name: c.name === "stderr" ? "stderr" : "stdout", text: String(c.text ?? "") });
        break;
      case "display_data":
      case "execute_result": {
        const output = {
          output_type: header.msg_type,
          data: splitTextData(c.data ?? {}),
          metadata: c.metadata ?? {},
          ...(header.msg_type === "execute_result" ? { execution_count: executionCount } : {}),
        } as Output & { data: Record<string, unknown>; metadata: Record<string, unknown> };
        const id = c.transient?.display_id;
        if (id) displays.set(id, [...(displays.get(id) ?? []), output]);
        add(output);
        break;
      }
      case "update_display_data":
        for (const output of displays.get(c.transient?.display_id ?? "") ?? []) {
          output.data = splitTextData(c.data ?? {});
          output.metadata = c.metadata ?? {};
        }
        break;
      case "error":
        add({ output_type: "error", ename: String(c.ename ?? "Error"), evalue: String(c.evalue ?? ""), traceback: (c.traceback as string[]) ?? [] });
        break;
      case "clear_output":
        if (c.wait) clearBeforeNext = true;
        else outputs = [];
        break;
    }
  }
  for (const output of outputs) if (output.output_type === "stream") output.text = toLines(String(output.text));
  return outputs;
}

/** nbformat keeps text-like mime data as lists of lines; JSON mime types stay objects. */
function splitTextData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    const textual = mime.startsWith("text/") || mime === "image/svg+xml" || mime === "application/javascript";
    out[mime] = textual && typeof value === "string" ? toLines(value) : value;
  }
  return out;
}
