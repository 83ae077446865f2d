// Reads a model's graph output names from the .onnx protobuf without loading it: only field headers
// are read, initializers are skipped by length, so a multi-GB file with inline weights costs a few reads.
// (A WebGPU session must know its present.* names at creation to keep them on the GPU.)
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const MODEL_GRAPH = 7; // ModelProto.graph
const GRAPH_OUTPUT = 12; // GraphProto.output
const VALUE_INFO_NAME = 1; // ValueInfoProto.name

class FileCursor {
  private readonly scratch = Buffer.alloc(16);
  constructor(private readonly fd: number, public position: number) {}

  varint(): number {
    const n = readSync(this.fd, this.scratch, 0, 10, this.position);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      const byte = this.scratch[i];
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) { this.position += i + 1; return value; }
    }
    throw new Error(`malformed varint at byte ${this.position}`);
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    readSync(this.fd, out, 0, length, this.position);
    this.position += length;
    return out;
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.varint(); break;
      case 1: this.position += 8; break;
      case 2: { const length = this.varint(); this.position += length; break; }
      case 5: this.position += 4; break;
      default: throw new Error(`unsupported protobuf wire type ${wireType} at byte ${this.position}`);
    }
  }
}

/** The name (field 1) of a ValueInfoProto held in memory. */
function valueInfoName(bytes: Buffer): string {
  let p = 0;
  const varint = (): number => {
    let value = 0; let scale = 1;
    for (;;) {
      const byte = bytes[p++];
      value += (byte & 0x7f) * scale; scale *= 128;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (p < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 2) {
      const length = varint();
      if (field === VALUE_INFO_NAME) return bytes.toString("utf8", p, p + length);
      p += length;
    } else if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else break;
  }
  return "";
}

/** Graph output names in declaration order. */
export function readGraphOutputNames(modelPath: string): string[] {
  const fd = openSync(modelPath, "r");
  try {
    const size = fstatSync(fd).size;
    const cursor = new FileCursor(fd, 0);
    while (cursor.position < size) {
      const tag = cursor.varint();
      if (Math.floor(tag / 8) === MODEL_GRAPH && (tag & 7) === 2) {
        const graphLength = cursor.varint();
        const graphEnd = cursor.position + graphLength;
        const names: string[] = [];
        while (cursor.position < graphEnd) {
          const inner = cursor.varint();
          if (Math.floor(inner / 8) === GRAPH_OUTPUT && (inner & 7) === 2) names.push(valueInfoName(cursor.bytes(cursor.varint())));
          else cursor.skip(inner & 7);
        }
        return names;
      }
      cursor.skip(tag & 7);
    }
    throw new Error(`${modelPath}: no graph found in the ONNX file`);
  } finally {
    closeSync(fd);
  }
}
