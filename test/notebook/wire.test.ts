// The wire format signs what it sends and refuses what was tampered with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, encodeMessage, newHeader } from "../../src/notebook/wire.js";

const key = "0123456789abcdef";
const message = { header: newHeader("execute_request", "session-1"), parent_header: {}, metadata: {}, content: { code: "1 + 1" } };

test("encode then decode round-trips a message past routing ids", () => {
  const frames = [Buffer.from("routing-id"), ...encodeMessage(key, message)];
  assert.deepEqual(decodeMessage(key, frames), message);
});

test("a changed content or a wrong key fails the HMAC check", () => {
  const frames = encodeMessage(key, message);
  frames[5] = Buffer.from(JSON.stringify({ code: "rm()" }));
  assert.throws(() => decodeMessage(key, frames), /wrong HMAC signature/);
  assert.throws(() => decodeMessage("other", encodeMessage(key, message)), /wrong HMAC signature/);
  assert.throws(() => decodeMessage(key, [Buffer.from("x")]), /without the <IDS\|MSG> delimiter/);
});
