// Worker threads, one thread, and the generic streaming writer produce the same file byte for byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGguf, modelEntries } from "../../../src/models/gguf/build.js";
import { GgmlType } from "../../../src/models/gguf/constants.js";
import { writeGgufTensors } from "../../../src/models/gguf/parallel-writer.js";
import { planTensors, tensorValues } from "../../../src/models/gguf/tensors.js";
import { writeGguf } from "../../../src/models/gguf/writer.js";
import { getPreset, weightSpecs } from "../../../src/models/presets.js";

test("tiny Q4_0: 2 workers, 1 thread and writeGguf write identical bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const one = await buildGguf({ preset: "tiny", dtype: "q4_0", outPath: join(dir, "one.gguf"), workers: 1 });
    const two = await buildGguf({ preset: "tiny", dtype: "q4_0", outPath: join(dir, "two.gguf"), workers: 2 });
    assert.ok(readFileSync(one.path).equals(readFileSync(two.path)));

    const config = getPreset("tiny");
    const { tensors } = planTensors(config, weightSpecs(config), GgmlType.Q8_0);
    const metadata = modelEntries(config, 7, "tiny");
    const streamed = join(dir, "streamed.gguf");
    const parallel = join(dir, "parallel.gguf");
    await writeGguf(streamed, metadata, tensors.map((t) => ({ ...t, values: () => tensorValues(t, 5) })));
    await writeGgufTensors(parallel, metadata, tensors, 5, 2);
    assert.ok(readFileSync(streamed).equals(readFileSync(parallel)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
