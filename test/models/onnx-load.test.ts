// The built model loads in onnxruntime-node (cpu) with the genai fixture's tensor names and config shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildModel } from "../../src/models/build.js";
import { sharedPath } from "../support/shared.js";
import { openSession } from "./onnx-session.js";

const root = mkdtempSync(join(tmpdir(), "wattlab-load-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const fixture = sharedPath("fixtures/models/tiny-random-llama-fp16");

/** Names with layer numbers folded, and types/shapes with symbolic dims kept, for comparing two models. */
function signature(session: Awaited<ReturnType<typeof openSession>>) {
  const fold = (meta: readonly { name: string; isTensor: boolean }[]) => [...new Set(meta.map((m) => m.name.replace(/\.\d+\./, ".N.")))];
  return { inputs: fold(session.inputMetadata), outputs: fold(session.outputMetadata) };
}

/** The keys of a JSON object tree (values dropped). */
function keyTree(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return typeof value;
  return Object.fromEntries(Object.entries(value).sort().map(([k, v]) => [k, keyTree(v)]));
}

test("built fp16 model loads on cpu with the fixture's input/output names and dims", { skip: fixture.skip }, async () => {
  const dir = join(root, "tiny-fp16");
  await buildModel({ preset: "tiny", dtype: "fp16", outDir: dir, workers: 1 });
  const built = await openSession(join(dir, "model.onnx"));
  const reference = await openSession(join(fixture.path, "model.onnx"));
  assert.deepEqual(signature(built), signature(reference));
  const byName = (s: typeof built, name: string) => s.inputMetadata.find((m) => m.name === name) as unknown as { type: string; shape: unknown[] };
  for (const name of ["input_ids", "attention_mask", "position_ids", "past_key_values.0.key"]) {
    const a = byName(built, name);
    const b = byName(reference, name);
    assert.equal(a.type, b.type, name);
    assert.deepEqual(a.shape.map((d) => typeof d), b.shape.map((d) => typeof d), name);
  }
  const logits = built.outputMetadata.find((m) => m.name === "logits") as unknown as { type: string };
  assert.equal(logits.type, "float16");
});

test("genai_config.json has the fixture's shape and the preset's sizes", { skip: fixture.skip }, async () => {
  const dir = join(root, "tiny-fp32");
  await buildModel({ preset: "tiny", dtype: "fp32", outDir: dir, workers: 1 });
  const built = JSON.parse(readFileSync(join(dir, "genai_config.json"), "utf8"));
  const theirs = JSON.parse(readFileSync(join(fixture.path, "genai_config.json"), "utf8"));
  const { search: _search, wattlab, ...builtWithoutSearch } = built;
  assert.deepEqual(keyTree(builtWithoutSearch), keyTree(theirs));
  assert.equal(built.model.decoder.num_key_value_heads, 2);
  assert.equal(built.model.vocab_size, 512);
  assert.deepEqual(wattlab, { graph: "portable", logits: "last", padding_side: "left" });
  const manifest = JSON.parse(readFileSync(join(dir, "wattlab-manifest.json"), "utf8"));
  assert.equal(manifest.graph, "portable");
  assert.equal(manifest.logits, "last");
  assert.equal(manifest.files.length, 2);
  assert.match(manifest.files[1].sha256, /^[0-9a-f]{64}$/);
});
