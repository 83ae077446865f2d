// Left padding: pads first, mask 0 on pads, positions cumsum(mask) - 1 with pads at 1 (as Hugging Face).
import { test } from "node:test";
import assert from "node:assert/strict";
import { LeftPaddedBatch } from "../../../src/engine/onnxruntime/batch.js";

test("prefill ids, mask and positions of a left-padded batch", () => {
  const batch = new LeftPaddedBatch([[5, 6, 7], [8]], 0);
  assert.equal(batch.promptLength, 3);
  assert.ok(batch.padded);
  assert.deepEqual([...batch.prefillIds("int32")], [5, 6, 7, 0, 0, 8]);
  assert.deepEqual([...batch.mask("int32", 0)], [1, 1, 1, 0, 0, 1]);
  assert.deepEqual([...batch.prefillPositions("int64")], [0n, 1n, 2n, 1n, 1n, 0n]);
});

test("decode steps grow the mask by one column of ones and continue each row's positions", () => {
  const batch = new LeftPaddedBatch([[5, 6, 7], [8]], 0);
  assert.deepEqual([...batch.mask("int64", 2)], [1n, 1n, 1n, 1n, 1n, 0n, 0n, 1n, 1n, 1n]);
  assert.deepEqual([...batch.decodePositions("int32", 1)], [3, 1]);
  assert.deepEqual([...batch.decodePositions("int32", 4)], [6, 4]);
  assert.deepEqual([...batch.decodeIds("int64", [11, 12])], [11n, 12n]);
});

test("empty batches and empty prompts are refused by name", () => {
  assert.throws(() => new LeftPaddedBatch([], 0), /promptIds is empty/);
  assert.throws(() => new LeftPaddedBatch([[1], []], 0), /promptIds\[1\] is empty/);
});
