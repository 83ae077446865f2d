// The window line protocol: parsing, formatting, and bytes → lines across chunk boundaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatWindowEvent, parseWindowLine, WindowLineReader, MAX_LINE_LENGTH, type ReceivedLine, type WindowEvent } from "../../src/meter/window-protocol.js";

test("begin, end and mark lines parse; marks go to the innermost window unless the first word names one", () => {
  assert.deepEqual(parseWindowLine("begin decode"), { type: "begin", name: "decode" });
  assert.deepEqual(parseWindowLine("  end   decode  "), { type: "end", name: "decode" });
  assert.deepEqual(parseWindowLine("mark tokens=128 model=tiny rate=-1.5e3"), { type: "mark", window: null, values: { tokens: 128, model: "tiny", rate: -1500 } });
  assert.deepEqual(parseWindowLine("mark decode tokens=128"), { type: "mark", window: "decode", values: { tokens: 128 } });
  assert.deepEqual(parseWindowLine('mark note="two words \\"quoted\\"" n=1'), { type: "mark", window: null, values: { note: 'two words "quoted"', n: 1 } });
  assert.deepEqual(parseWindowLine("mark version=3.11.7 empty= hex=0x10"), { type: "mark", window: null, values: { version: "3.11.7", empty: "", hex: "0x10" } });
  assert.equal(parseWindowLine("   "), null);
});

test("malformed lines say what is wrong", () => {
  const reason = (line: string): string => {
    const parsed = parseWindowLine(line);
    assert.equal(parsed?.type, "malformed", line);
    return (parsed as { reason: string }).reason;
  };
  assert.match(reason("start decode"), /unknown verb "start": lines start with begin, end or mark/);
  assert.match(reason("begin"), /"begin" needs a window name/);
  assert.match(reason("begin two words"), /holds whitespace or "="/);
  assert.match(reason("end a=b"), /holds whitespace or "="/);
  assert.match(reason("mark"), /"mark" needs KEY=VALUE pairs/);
  assert.match(reason("mark decode"), /"mark" needs KEY=VALUE pairs/);
  assert.match(reason("mark 9lives=1"), /mark key "9lives" must start with a letter/);
  assert.match(reason("mark decode tokens=1 stray"), /"stray" is not KEY=VALUE/);
  assert.match(reason('mark note="open'), /no closing quote/);
  assert.match(reason(`begin ${"x".repeat(201)}`), /201 characters long: the limit is 200/);
});

test("formatting round-trips through the parser and refuses what it could not carry", () => {
  const events: WindowEvent[] = [
    { type: "begin", name: "prefill" },
    { type: "end", name: "prefill" },
    { type: "mark", window: null, values: { tokens: 7, text: "a b", n: "42", flag: "x" } },
    { type: "mark", window: "decode", values: { ratio: 0.125 } },
  ];
  for (const event of events) assert.deepEqual(parseWindowLine(formatWindowEvent(event)), event);
  // A string that looks like a number stays a string: it travels quoted.
  assert.equal(formatWindowEvent({ type: "mark", window: null, values: { n: "42" } }), 'mark n="42"');
  assert.throws(() => formatWindowEvent({ type: "begin", name: "two words" }), /holds whitespace/);
  assert.throws(() => formatWindowEvent({ type: "mark", window: null, values: {} }), /at least one KEY=VALUE/);
  assert.throws(() => formatWindowEvent({ type: "mark", window: null, values: { x: Number.NaN } }), /must be finite/);
  assert.throws(() => formatWindowEvent({ type: "mark", window: null, values: { "bad key": 1 } }), /mark key "bad key"/);
});

test("the reader joins lines split across chunks (UTF-8 too), dates each by the chunk that ended it, and bounds line length", () => {
  const lines: ReceivedLine[] = [];
  const reader = new WindowLineReader((line) => lines.push(line));
  const bytes = Buffer.from("begin caf\u00e9\nmark n=1\r\n\nbeg");
  const cut = bytes.indexOf(0xa9); // inside the two bytes of "é"
  reader.push(bytes.subarray(0, cut), 1);
  reader.push(bytes.subarray(cut), 2);
  reader.push("in tail\nend tail", 3);
  assert.deepEqual(lines.map((l) => [l.lineNo, l.atMs, l.parsed]), [
    [1, 2, { type: "begin", name: "caf\u00e9" }],
    [2, 2, { type: "mark", window: null, values: { n: 1 } }],
    [4, 3, { type: "begin", name: "tail" }],
  ]);
  reader.end(4);
  assert.deepEqual(lines.at(-1)?.parsed, { type: "end", name: "tail" });
  assert.equal(lines.at(-1)?.atMs, 4);

  const long: ReceivedLine[] = [];
  const bounded = new WindowLineReader((line) => long.push(line));
  bounded.push("x".repeat(MAX_LINE_LENGTH + 1), 1);
  bounded.push("y".repeat(100), 2);
  bounded.push("z\nbegin after\n", 3);
  assert.equal(long.length, 2, "the over-long line is reported once, its tail dropped");
  assert.match((long[0].parsed as { reason: string }).reason, /longer than 8192 characters/);
  assert.deepEqual(long[1].parsed, { type: "begin", name: "after" });
  assert.equal(long[1].lineNo, 2);
});
