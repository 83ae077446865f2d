// The reader gives back exactly what the writer wrote: typed metadata, tensor infos, aligned data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgmlType, GgufValueType } from "../../../src/models/gguf/constants.js";
import { arr, bool, f32, str, u32, type GgufEntry } from "../../../src/models/gguf/metadata.js";
import { decodeTensor } from "../../../src/models/gguf/quantize.js";
import { readGguf, readGgufTensor } from "../../../src/models/gguf/reader.js";
import { writeGguf } from "../../../src/models/gguf/writer.js";

const METADATA: GgufEntry[] = [
  str("general.architecture", "llama"),
  u32("llama.block_count", 7),
  f32("llama.attention.layer_norm_rms_epsilon", Math.fround(1e-5)),
  bool("tokenizer.ggml.add_bos_token", true),
  { key: "test.u8", type: GgufValueType.UINT8, value: 255 },
  { key: "test.i8", type: GgufValueType.INT8, value: -128 },
  { key: "test.u16", type: GgufValueType.UINT16, value: 65535 },
  { key: "test.i16", type: GgufValueType.INT16, value: -32768 },
  { key: "test.i32", type: GgufValueType.INT32, value: -2147483648 },
  { key: "test.f64", type: GgufValueType.FLOAT64, value: Math.PI },
  { key: "test.u64", type: GgufValueType.UINT64, value: 2n ** 63n + 5n },
  { key: "test.i64", type: GgufValueType.INT64, value: -(2n ** 62n) },
  str("test.unicode", "▁héllo 🌍"),
  arr("test.strings", GgufValueType.STRING, ["<unk>", "", "▁the"]),
  arr("test.floats", GgufValueType.FLOAT32, [0, -1.5, 1000]),
  arr("test.ints", GgufValueType.INT32, [1, 3, 6]),
  arr("test.empty", GgufValueType.UINT32, []),
];

test("a written GGUF reads back with the same metadata, tensor infos and bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const path = join(dir, "t.gguf");
    const a = Float32Array.from({ length: 3 * 5 }, (_, i) => i - 7.25);
    const b = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const { bytes } = await writeGguf(path, METADATA, [
      { name: "a", ne: [5, 3], type: GgmlType.F32, values: () => [a.subarray(0, 4), a.subarray(4)] },
      { name: "b.q8", ne: [32, 2], type: GgmlType.Q8_0, values: () => [b] },
      { name: "c", ne: [3], type: GgmlType.F16, values: () => [Float32Array.of(1, 0.5, -2)] },
    ]);
    assert.equal(statSync(path).size, bytes);
    assert.equal(readFileSync(path).subarray(0, 4).toString("latin1"), "GGUF");

    const file = readGguf(path);
    assert.equal(file.version, 3);
    assert.deepEqual(file.metadata, METADATA);
    assert.deepEqual(file.tensors.map((t) => [t.name, t.ne, t.type]), [["a", [5, 3], GgmlType.F32], ["b.q8", [32, 2], GgmlType.Q8_0], ["c", [3], GgmlType.F16]]);
    assert.equal(file.dataOffset % 32, 0);
    for (const t of file.tensors) assert.equal(t.offset % 32, 0, `${t.name} aligned`);
    assert.deepEqual(decodeTensor(GgmlType.F32, readGgufTensor(file, "a"), 15), a);
    assert.deepEqual(decodeTensor(GgmlType.F16, readGgufTensor(file, "c"), 3), Float32Array.of(1, 0.5, -2));
    assert.equal(readGgufTensor(file, "b.q8").length, 2 * 34);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the writer refuses duplicate keys, duplicate tensors and wrong value counts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const path = join(dir, "t.gguf");
    await assert.rejects(writeGguf(path, [u32("k", 1), u32("k", 2)], []), /duplicate key k/);
    const t = { name: "x", ne: [4], type: GgmlType.F32, values: () => [new Float32Array(4)] };
    await assert.rejects(writeGguf(path, [], [t, t]), /duplicate tensor x/);
    await assert.rejects(writeGguf(path, [], [{ ...t, values: () => [new Float32Array(3)] }]), /tensor x produced 12 bytes, expected 16/);
    await assert.rejects(writeGguf(path, [], [{ ...t, ne: [40], type: GgmlType.Q4_0, values: () => [new Float32Array(40)] }]), /not a whole number of Q4_0 blocks/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the reader refuses a file that is not GGUF", () => {
  const dir = mkdtempSync(join(tmpdir(), "wattlab-gguf-"));
  try {
    const path = join(dir, "x.gguf");
    writeFileSync(path, "not a gguf file at all");
    assert.throws(() => readGguf(path), /is not a GGUF file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
