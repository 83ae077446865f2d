// iopub messages become nbformat outputs the way nbclient writes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { outputsFromMessages, type DisplayRegistry } from "../../src/notebook/outputs.js";
import { newHeader, type Message } from "../../src/notebook/wire.js";

const msg = (msgType: string, content: object): Message => ({
  header: newHeader(msgType, "s"), parent_header: {}, metadata: {}, content: content as Record<string, unknown>,
});

test("stream chunks of one name merge into lines; names alternate as separate outputs", () => {
  const outputs = outputsFromMessages(
    [msg("stream", { name: "stdout", text: "a" }), msg("stream", { name: "stdout", text: "b\nc\n" }), msg("stream", { name: "stderr", text: "e" })],
    1,
    new Map(),
  );
  assert.deepEqual(outputs, [
    { output_type: "stream", name: "stdout", text: ["ab\n", "c\n"] },
    { output_type: "stream", name: "stderr", text: ["e"] },
  ]);
});

test("clear_output with wait clears at the next output; update_display_data rewrites an earlier cell's display", () => {
  const displays: DisplayRegistry = new Map();
  const first = outputsFromMessages([msg("display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } })], 1, displays);
  const second = outputsFromMessages(
    [
      msg("stream", { name: "stdout", text: "old" }),
      msg("clear_output", { wait: true }),
      msg("update_display_data", { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } }),
      msg("execute_result", { data: { "text/plain": "7" }, metadata: {}, execution_count: 99 }),
    ],
    2,
    displays,
  );
  assert.deepEqual(first, [{ output_type: "display_data", data: { "text/plain": ["v2"] }, metadata: {} }]);
  assert.deepEqual(second, [{ output_type: "execute_result", execution_count: 2, data: { "text/plain": ["7"] }, metadata: {} }]);
});
