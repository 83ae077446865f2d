// The SSE parser meets text split anywhere: mid-line, mid-JSON, between CR and LF; comments and other fields skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SseParser } from "../../src/load/index.js";

const STREAM = ': keep-alive\n\ndata: {"a":1}\n\nevent: x\nid: 3\ndata: {"b":\ndata: 2}\r\n\r\ndata:[DONE]\r\rdata: tail';
const EVENTS = ['{"a":1}', '{"b":\n2}', "[DONE]", "tail"];

test("whole text at once: events in order, comments and other fields skipped, the open last event kept at the end", () => {
  const parser = new SseParser();
  assert.deepEqual([...parser.push(STREAM), ...parser.end()], EVENTS);
});

test("the same text split at every position, and fed a character at a time, gives the same events", () => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const parser = new SseParser();
    const got = [...parser.push(STREAM.slice(0, cut)), ...parser.push(STREAM.slice(cut)), ...parser.end()];
    assert.deepEqual(got, EVENTS, `split at ${cut}`);
  }
  const parser = new SseParser();
  assert.deepEqual([...[...STREAM].flatMap((c) => parser.push(c)), ...parser.end()], EVENTS);
});

test("a CR LF split across two reads ends one line, not two", () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push("data: a\r"), []);
  assert.deepEqual(parser.push("\ndata: b\r\n"), []);
  assert.deepEqual(parser.push("\r\n"), ["a\nb"]);
});
