// A minimal protobuf wire-format writer and reader: enough for ONNX's ModelProto without a protobuf package.
// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Appends fields to a growable byte buffer; nested messages are encoded first and length-prefixed. */
export class ProtoWriter {
  private bytes = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Unsigned or negative integer as a varint; negatives take 10 bytes (two's complement int64). */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    if (typeof value === "number" && value >= 0 && value < 2 ** 31) {
      this.reserve(5);
      let n = value;
      while (n >= 0x80) { this.bytes[this.length++] = (n & 0x7f) | 0x80; n >>>= 7; }
      this.bytes[this.length++] = n;
      return this;
    }
    this.reserve(10);
    while (v >= 0x80n) { this.bytes[this.length++] = Number(v & 0x7fn) | 0x80; v >>= 7n; }
    this.bytes[this.length++] = Number(v);
    return this;
  }

  private tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.tag(field, 0).varint(value);
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.bytes.buffer, this.bytes.byteOffset).setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  fixed64(field: number, value: bigint): this {
    this.tag(field, 1);
    this.reserve(8);
    new DataView(this.bytes.buffer, this.bytes.byteOffset).setBigUint64(this.length, value, true);
    this.length += 8;
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, textEncoder.encode(value));
  }

  message(field: number, encode: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    encode(sub);
    return this.bytesField(field, sub.finish());
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** One decoded field: varints as bigint, length-delimited as a byte view (no copy), fixed as raw numbers. */
export type ProtoField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; value: bigint }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 5; value: number };

/** Splits one message into its fields, in order; unknown fields are kept so a rewrite can pass them through. */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error("protobuf: truncated varint; the file is damaged or not protobuf");
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1) { fields.push({ field, wire, value: view.getBigUint64(pos, true) }); pos += 8; }
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > bytes.length) throw new Error("protobuf: field runs past the end; the file is damaged");
      fields.push({ field, wire, value: bytes.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) { fields.push({ field, wire, value: view.getFloat32(pos, true) }); pos += 4; }
    else throw new Error(`protobuf: unsupported wire type ${wire} (field ${field})`);
  }
  return fields;
}

/** Varint as a signed int64 number (ONNX dims and ints). */
export function toInt(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

export function toText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Re-emits a field unchanged (pass-through when rewriting a message). */
export function writeField(w: ProtoWriter, f: ProtoField): void {
  if (f.wire === 0) w.int(f.field, f.value);
  else if (f.wire === 2) w.bytesField(f.field, f.value);
  else if (f.wire === 5) w.float(f.field, f.value);
  else w.fixed64(f.field, f.value);
}
