// The shared sample ring: keeps the newest rows, filters by time, never hands out a half-written slot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRing, RingReader, RingWriter } from "../../src/meter/ring.js";

test("the ring keeps capacity − 1 newest rows after wrapping and filters by time", () => {
  const ring = createRing(4, 2);
  const writer = new RingWriter(ring);
  const reader = new RingReader(ring);
  assert.deepEqual(reader.read(), []);
  for (let t = 0; t < 10; t++) writer.push(t * 10, [t, t === 5 ? Number.NaN : -t]);
  assert.equal(reader.written, 10);
  assert.deepEqual(reader.read().map((row) => row.tMs), [70, 80, 90]);
  assert.deepEqual(reader.read(75, 85), [{ tMs: 80, watts: [8, -8] }]);
  const early = createRing(8, 1);
  new RingWriter(early).push(1, [2]);
  assert.deepEqual(new RingReader(early).read(), [{ tMs: 1, watts: [2] }]);
});
