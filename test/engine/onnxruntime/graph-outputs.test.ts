// Output names come from the .onnx protobuf without loading the model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedPath } from "../../support/shared.js";
import { readGraphOutputNames } from "../../../src/engine/onnxruntime/graph-outputs.js";
import { createSession } from "../../../src/engine/onnxruntime/session.js";

const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16/model.onnx");

test("graph output names match the session's", { skip: fixture.skip }, async () => {
  const session = await createSession(fixture.path, { device: "cpu", threads: 1 });
  try {
    assert.deepEqual(readGraphOutputNames(fixture.path), [...session.outputNames]);
  } finally {
    await session.release();
  }
});

test("a file with no graph is an error naming it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-graph-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "empty.onnx");
  writeFileSync(path, Buffer.from([0x08, 0x07])); // ir_version = 7 only
  assert.throws(() => readGraphOutputNames(path), /empty\.onnx: no graph found/);
});
