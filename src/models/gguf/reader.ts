// Reads a GGUF file's header: metadata entries (typed, so they can be copied into a new file) and tensor
// infos. Tensor data is left on disk; readGgufTensor fetches one tensor's bytes when a check needs it.
import { closeSync, openSync, readSync } from "node:fs";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgmlType, GgufValueType, alignUp, tensorBytes } from "./constants.js";
import type { GgufArrayEntry, GgufEntry, GgufScalar, GgufScalarEntry } from "./metadata.js";

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne[0] varies fastest. */
  ne: number[];
  type: GgmlType;
  /** Offset from the start of the data section. Units: bytes. */
  offset: number;
}

export interface GgufFile {
  path: string;
  version: number;
  metadata: GgufEntry[];
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where tensor data starts in the file. Units: bytes. */
  dataOffset: number;
}

/** Sequential reader over a file descriptor with a refillable buffer (headers of 7B files are megabytes). */
class Cursor {
  private buf = Buffer.alloc(1 << 20);
  private start = 0; // file position of buf[0]
  private end = 0; // valid bytes in buf
  position = 0;

  constructor(private readonly fd: number, private readonly path: string) {}

  private need(n: number): number {
    const at = this.position - this.start;
    if (at + n <= this.end) return at;
    if (n > this.buf.length) this.buf = Buffer.alloc(n * 2);
    this.start = this.position;
    this.end = readSync(this.fd, this.buf, 0, this.buf.length, this.position);
    if (n > this.end) throw new Error(`GGUF ${this.path}: file ends inside the header at byte ${this.position + this.end}`);
    return 0;
  }

  u8(): number { const at = this.need(1); this.position += 1; return this.buf.readUInt8(at); }
  i8(): number { const at = this.need(1); this.position += 1; return this.buf.readInt8(at); }
  u16(): number { const at = this.need(2); this.position += 2; return this.buf.readUInt16LE(at); }
  i16(): number { const at = this.need(2); this.position += 2; return this.buf.readInt16LE(at); }
  u32(): number { const at = this.need(4); this.position += 4; return this.buf.readUInt32LE(at); }
  i32(): number { const at = this.need(4); this.position += 4; return this.buf.readInt32LE(at); }
  f32(): number { const at = this.need(4); this.position += 4; return this.buf.readFloatLE(at); }
  f64(): number { const at = this.need(8); this.position += 8; return this.buf.readDoubleLE(at); }
  u64(): bigint { const at = this.need(8); this.position += 8; return this.buf.readBigUInt64LE(at); }
  i64(): bigint { const at = this.need(8); this.position += 8; return this.buf.readBigInt64LE(at); }

  /** A u64 that must fit a JS number (counts, lengths, offsets). */
  size(what: string): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF ${this.path}: ${what} ${v} is too large`);
    return Number(v);
  }

  string(): string {
    const n = this.size("string length");
    const at = this.need(n);
    this.position += n;
    return this.buf.toString("utf8", at, at + n);
  }
}

function readScalar(c: Cursor, type: GgufValueType, key: string): GgufScalar {
  switch (type) {
    case GgufValueType.UINT8: return c.u8();
    case GgufValueType.INT8: return c.i8();
    case GgufValueType.UINT16: return c.u16();
    case GgufValueType.INT16: return c.i16();
    case GgufValueType.UINT32: return c.u32();
    case GgufValueType.INT32: return c.i32();
    case GgufValueType.FLOAT32: return c.f32();
    case GgufValueType.FLOAT64: return c.f64();
    case GgufValueType.UINT64: return c.u64();
    case GgufValueType.INT64: return c.i64();
    case GgufValueType.BOOL: return c.u8() !== 0;
    case GgufValueType.STRING: return c.string();
    default: throw new Error(`GGUF metadata ${key}: unknown value type ${type}`);
  }
}

function readEntry(c: Cursor): GgufEntry {
  const key = c.string();
  const type = c.u32() as GgufValueType;
  if (type !== GgufValueType.ARRAY) return { key, type, value: readScalar(c, type, key) } as GgufScalarEntry;
  const itemType = c.u32() as GgufArrayEntry["itemType"];
  const count = c.size(`array length of ${key}`);
  const value: GgufScalar[] = new Array(count);
  for (let i = 0; i < count; i++) value[i] = readScalar(c, itemType, key);
  return { key, type, itemType, value };
}

/** Reads header, metadata and tensor infos of a GGUF file (versions 2 and 3). */
export function readGguf(path: string): GgufFile {
  const fd = openSync(path, "r");
  try {
    const c = new Cursor(fd, path);
    if (c.u32() !== GGUF_MAGIC) throw new Error(`${path} is not a GGUF file (no "GGUF" magic at byte 0)`);
    const version = c.u32();
    if (version < 2 || version > 3) throw new Error(`GGUF ${path}: version ${version} is not supported (2 or 3)`);
    const tensorCount = c.size("tensor count");
    const kvCount = c.size("metadata count");
    const metadata: GgufEntry[] = [];
    for (let i = 0; i < kvCount; i++) metadata.push(readEntry(c));
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = c.string();
      const nDims = c.u32();
      const ne: number[] = [];
      for (let d = 0; d < nDims; d++) ne.push(c.size(`dimension of ${name}`));
      const type = c.u32() as GgmlType;
      tensors.push({ name, ne, type, offset: c.size(`offset of ${name}`) });
    }
    const alignmentEntry = metadata.find((e) => e.key === "general.alignment");
    const alignment = typeof alignmentEntry?.value === "number" ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT;
    return { path, version, metadata, tensors, alignment, dataOffset: alignUp(c.position, alignment) };
  } finally {
    closeSync(fd);
  }
}

/** The raw bytes of one tensor (for checks on small files). */
export function readGgufTensor(file: GgufFile, name: string): Uint8Array {
  const info = file.tensors.find((t) => t.name === name);
  if (!info) throw new Error(`GGUF ${file.path}: no tensor named ${name}`);
  const size = tensorBytes(info.type, info.ne.reduce((a, b) => a * b, 1));
  const out = Buffer.alloc(size);
  const fd = openSync(file.path, "r");
  try {
    const got = readSync(fd, out, 0, size, file.dataOffset + info.offset);
    if (got !== size) throw new Error(`GGUF ${file.path}: tensor ${name} is truncated (${got} of ${size} bytes)`);
  } finally {
    closeSync(fd);
  }
  return out;
}
