// Writing one weight tensor into the external data file, streamed: values come from the seeded
// generator in HF row order and go to disk in bounded blocks, so no whole tensor is ever in memory.
// Jobs are plain data (they cross worker-thread boundaries) and write disjoint byte ranges.
import { writeSync } from "node:fs";
import { elementCount, weightChunks, type WeightSpec } from "../presets.js";
import { fromHalf, toHalf, toHalfArray } from "./fp16.js";
import { blobBytes, kBlocks, quantizeRows, zeroPointBytesPerRow, type NBitsShape } from "./nbits.js";

export type FloatForm = "fp32" | "fp16";

export type WeightJob =
  /** Same layout as HF (embeddings, norms, biases). */
  | { kind: "plain"; spec: WeightSpec; form: FloatForm; offset: number }
  /**
   * HF [out, in] written as [in, out] for MatMul(x, W). `columns` places it as a band of a wider matrix
   * (packed Q/K/V): `total` output columns in all, this tensor's from `start`.
   */
  | { kind: "transposed"; spec: WeightSpec; form: FloatForm; offset: number; columns?: { total: number; start: number } }
  /** MatMulNBits B, scales (in `scaleForm`) and zero points, each at its own offset. */
  | { kind: "nbits"; spec: WeightSpec; shape: NBitsShape; scaleForm: FloatForm; offsets: { b: number; scales: number; zeroPoints: number } }
  /** A RoPE table [positions, dim/2] of cos or sin (GroupQueryAttention's cos_cache / sin_cache); not a weight. */
  | { kind: "rope"; name: string; table: "cos" | "sin"; positions: number; dim: number; theta: number; form: FloatForm; offset: number };

/** A job's tensor name, for errors. */
export function jobName(job: WeightJob): string {
  return job.kind === "rope" ? job.name : job.spec.name;
}

/** Values a job draws or computes (workers take the largest first). */
export function jobElements(job: WeightJob): number {
  return job.kind === "rope" ? job.positions * (job.dim / 2) : elementCount(job.spec);
}

/** Elements per generated block: bounds a job's memory to a few times 4 bytes × this. */
export const BLOCK_ELEMENTS = 1 << 22;

function encode(values: Float32Array, form: FloatForm, scratch?: Uint16Array<ArrayBuffer>): Uint8Array {
  if (form === "fp32") return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const half = toHalfArray(values, scratch && scratch.length >= values.length ? scratch.subarray(0, values.length) : undefined);
  return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Whole rows per block, an even count so that Box–Muller pairs stay aligned across blocks. */
function rowsPerBlock(rowLength: number, rows: number, blockElements: number): number {
  const fit = Math.max(2, Math.floor(blockElements / rowLength));
  return Math.min(rows % 2 === 0 ? rows : rows + 1, fit - (fit % 2));
}

/** Runs one job; `blockElements` bounds memory (tests lower it to exercise block seams). */
export function runWeightJob(job: WeightJob, fd: number, seed: number, blockElements = BLOCK_ELEMENTS): void {
  if (job.kind === "rope") { writeRope(job, fd, blockElements); return; }
  if (job.kind === "plain") {
    let position = job.offset;
    for (const chunk of weightChunks(seed, job.spec, blockElements - (blockElements % 2))) {
      const bytes = encode(chunk, job.form);
      writeAll(fd, bytes, position);
      position += bytes.length;
    }
    return;
  }
  const [rows, cols] = job.spec.shape;
  if (rows * cols % 2 !== 0) throw new Error(`${job.spec.name}: an odd element count breaks row-aligned blocks`);
  const blockRows = rowsPerBlock(cols, rows, blockElements);
  if (job.kind === "transposed") writeTransposed(job, fd, seed, rows, cols, blockRows);
  else writeNBits(job, fd, seed, rows, blockRows);
}

function writeTransposed(job: Extract<WeightJob, { kind: "transposed" }>, fd: number, seed: number,
  rows: number, cols: number, blockRows: number): void {
  const elementBytes = job.form === "fp16" ? 2 : 4;
  const total = job.columns?.total ?? rows; // the written matrix is [cols, total]
  const start = job.columns?.start ?? 0;
  let row0 = 0;
  const tile = 32;
  // reused across blocks: fewer page faults than a fresh buffer per block
  const transposed = new Float32Array(blockRows * cols);
  const half = job.form === "fp16" ? new Uint16Array(blockRows * cols) : undefined;
  for (const chunk of weightChunks(seed, job.spec, blockRows * cols)) {
    const n = chunk.length / cols; // rows in this block
    const t = transposed.subarray(0, chunk.length); // [cols, n]
    for (let rb = 0; rb < n; rb += tile) {
      const re = Math.min(rb + tile, n);
      for (let cb = 0; cb < cols; cb += tile) {
        const ce = Math.min(cb + tile, cols);
        for (let r = rb; r < re; r++) {
          const src = r * cols;
          for (let c = cb; c < ce; c++) t[c * n + r] = chunk[src + c];
        }
      }
    }
    const bytes = encode(t, job.form, half);
    if (n === total) writeAll(fd, bytes, job.offset);
    else {
      const segment = n * elementBytes;
      for (let c = 0; c < cols; c++) {
        writeAll(fd, bytes.subarray(c * segment, (c + 1) * segment), job.offset + (c * total + start + row0) * elementBytes);
      }
    }
    row0 += n;
  }
}

function writeNBits(job: Extract<WeightJob, { kind: "nbits" }>, fd: number, seed: number, rows: number, blockRows: number): void {
  const s = job.shape;
  const blobRow = kBlocks(s) * blobBytes(s);
  const zpRow = zeroPointBytesPerRow(s);
  const scaleBytes = job.scaleForm === "fp16" ? 2 : 4;
  const roundScale = job.scaleForm === "fp16" ? (x: number) => halfRound(x) : Math.fround;
  let row0 = 0;
  for (const chunk of weightChunks(seed, job.spec, blockRows * s.k)) {
    const n = chunk.length / s.k;
    const b = new Uint8Array(n * blobRow);
    const scales = new Float32Array(n * kBlocks(s));
    const zp = new Uint8Array(n * zpRow);
    quantizeRows(chunk, n, s, b, scales, zp, roundScale);
    writeAll(fd, b, job.offsets.b + row0 * blobRow);
    writeAll(fd, encode(scales, job.scaleForm), job.offsets.scales + row0 * kBlocks(s) * scaleBytes);
    writeAll(fd, zp, job.offsets.zeroPoints + row0 * zpRow);
    row0 += n;
  }
  if (row0 !== rows) throw new Error(`${job.spec.name}: wrote ${row0} of ${rows} rows`);
}

/**
 * cos or sin of position × inverse frequency, [positions, dim/2], computed as the portable graph does
 * (angle rounded to float32, as a float32 Mul of the position and the float32 inverse frequency).
 */
function writeRope(job: Extract<WeightJob, { kind: "rope" }>, fd: number, blockElements: number): void {
  const half = job.dim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => Math.fround(1 / job.theta ** ((2 * i) / job.dim)));
  const fn = job.table === "cos" ? Math.cos : Math.sin;
  const blockPositions = Math.max(1, Math.floor(blockElements / half));
  const elementBytes = job.form === "fp16" ? 2 : 4;
  for (let p0 = 0; p0 < job.positions; p0 += blockPositions) {
    const n = Math.min(blockPositions, job.positions - p0);
    const values = new Float32Array(n * half);
    for (let p = 0; p < n; p++) for (let i = 0; i < half; i++) values[p * half + i] = fn(Math.fround((p0 + p) * invFreq[i]));
    writeAll(fd, encode(values, job.form), job.offset + p0 * half * elementBytes);
  }
}

/** The value a float takes once stored as float16. */
export function halfRound(x: number): number {
  return fromHalf(toHalf(x));
}
