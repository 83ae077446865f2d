// Streams a GGUF v3 file: the header is computed up front (every tensor's byte size is known from its
// shape and type), then each tensor's values are generated, encoded and written chunk by chunk.
import { open } from "node:fs/promises";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgmlType, GgufValueType, alignUp, tensorBytes } from "./constants.js";
import { SCALAR_BYTES, type GgufEntry, type GgufScalar } from "./metadata.js";
import { StreamingEncoder } from "./quantize.js";

export interface GgufTensorSpec {
  name: string;
  /** Dimensions in ggml order: ne[0] is the fastest-varying (for a [out, in] row-major matrix, [in, out]). */
  ne: number[];
  type: GgmlType;
  /** The values in memory order, in chunks of any size; called once, when the tensor is written. */
  values: () => Iterable<Float32Array> | AsyncIterable<Float32Array>;
}

export interface GgufWriteResult {
  bytes: number;
}

/** Growable little-endian byte buffer for the header. */
class ByteSink {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void { this.reserve(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
  i8(v: number): void { this.reserve(1); this.buf.writeInt8(v, this.length); this.length += 1; }
  u16(v: number): void { this.reserve(2); this.buf.writeUInt16LE(v, this.length); this.length += 2; }
  i16(v: number): void { this.reserve(2); this.buf.writeInt16LE(v, this.length); this.length += 2; }
  u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
  f64(v: number): void { this.reserve(8); this.buf.writeDoubleLE(v, this.length); this.length += 8; }
  u64(v: number | bigint): void { this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
  i64(v: number | bigint): void { this.reserve(8); this.buf.writeBigInt64LE(BigInt(v), this.length); this.length += 8; }

  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }

  zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }

  bytes(): Buffer { return this.buf.subarray(0, this.length); }
}

function writeScalar(sink: ByteSink, type: GgufValueType, value: GgufScalar, key: string): void {
  const num = (): number => {
    if (typeof value !== "number") throw new Error(`GGUF metadata ${key}: expected a number, got ${typeof value}`);
    return value;
  };
  switch (type) {
    case GgufValueType.UINT8: return sink.u8(num());
    case GgufValueType.INT8: return sink.i8(num());
    case GgufValueType.UINT16: return sink.u16(num());
    case GgufValueType.INT16: return sink.i16(num());
    case GgufValueType.UINT32: return sink.u32(num());
    case GgufValueType.INT32: return sink.i32(num());
    case GgufValueType.FLOAT32: return sink.f32(num());
    case GgufValueType.FLOAT64: return sink.f64(num());
    case GgufValueType.UINT64: return sink.u64(value as number | bigint);
    case GgufValueType.INT64: return sink.i64(value as number | bigint);
    case GgufValueType.BOOL: return sink.u8(value ? 1 : 0);
    case GgufValueType.STRING:
      if (typeof value !== "string") throw new Error(`GGUF metadata ${key}: expected a string, got ${typeof value}`);
      return sink.string(value);
    default:
      throw new Error(`GGUF metadata ${key}: value type ${type} cannot be a scalar`);
  }
}

function writeEntry(sink: ByteSink, entry: GgufEntry): void {
  sink.string(entry.key);
  sink.u32(entry.type);
  if (entry.type === GgufValueType.ARRAY) {
    sink.u32(entry.itemType);
    sink.u64(entry.value.length);
    for (const item of entry.value) writeScalar(sink, entry.itemType, item, entry.key);
  } else {
    writeScalar(sink, entry.type, entry.value, entry.key);
  }
}

function checkEntries(entries: readonly GgufEntry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.key)) throw new Error(`GGUF metadata: duplicate key ${e.key}`);
    seen.add(e.key);
    if (e.type !== GgufValueType.ARRAY && e.type !== GgufValueType.STRING && SCALAR_BYTES[e.type] === undefined) {
      throw new Error(`GGUF metadata ${e.key}: unknown value type ${e.type}`);
    }
  }
}

/** Header bytes (magic … tensor infos … padding) and each tensor's data offset and size. */
export function ggufHeader(metadata: readonly GgufEntry[], tensors: readonly Pick<GgufTensorSpec, "name" | "ne" | "type">[],
  alignment = GGUF_DEFAULT_ALIGNMENT): { header: Buffer; tensorBytes: number[]; tensorOffsets: number[] } {
  checkEntries(metadata);
  const sizes = tensors.map((t) => tensorBytes(t.type, t.ne.reduce((a, b) => a * b, 1)));
  const offsets: number[] = [];
  let offset = 0;
  for (const size of sizes) { offsets.push(offset); offset = alignUp(offset + size, alignment); }

  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  sink.u64(metadata.length);
  for (const entry of metadata) writeEntry(sink, entry);
  tensors.forEach((t, i) => {
    sink.string(t.name);
    sink.u32(t.ne.length);
    for (const d of t.ne) sink.u64(d);
    sink.u32(t.type);
    sink.u64(offsets[i]);
  });
  sink.zeros(alignUp(sink.length, alignment) - sink.length);
  return { header: sink.bytes(), tensorBytes: sizes, tensorOffsets: offsets };
}

/** Writes a GGUF file, one tensor at a time; the file is complete only when the promise resolves. */
export async function writeGguf(path: string, metadata: readonly GgufEntry[], tensors: readonly GgufTensorSpec[],
  alignment = GGUF_DEFAULT_ALIGNMENT): Promise<GgufWriteResult> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`GGUF writer: duplicate tensor ${t.name}`);
    names.add(t.name);
  }
  const { header, tensorBytes: sizes } = ggufHeader(metadata, tensors, alignment);
  const file = await open(path, "w");
  try {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      if (bytes.length === 0) return;
      await file.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(header);
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i];
      const start = position;
      const encoder = new StreamingEncoder(t.type);
      for await (const chunk of t.values()) await write(encoder.push(chunk));
      encoder.finish();
      if (position - start !== sizes[i]) {
        throw new Error(`GGUF writer: tensor ${t.name} produced ${position - start} bytes, expected ${sizes[i]} for ne=[${t.ne}]`);
      }
      await write(new Uint8Array(alignUp(position, alignment) - position));
    }
    return { bytes: position };
  } finally {
    await file.close();
  }
}
