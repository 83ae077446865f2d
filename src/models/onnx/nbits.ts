// Block-wise round-to-nearest quantization in com.microsoft MatMulNBits layout:
// B [N, kBlocks, blockSize*bits/8] uint8 (low nibble first for 4 bits), scales [N*kBlocks], zero points
// [N*ceil(kBlocks*bits/8)] uint8 packed likewise. Rows are the HF [out, in] weight rows, so no transpose.

export interface NBitsShape { bits: 4 | 8; blockSize: number; n: number; k: number }

export function kBlocks(s: NBitsShape): number {
  return Math.ceil(s.k / s.blockSize);
}
export function blobBytes(s: NBitsShape): number {
  return (s.blockSize * s.bits) / 8;
}
export function zeroPointBytesPerRow(s: NBitsShape): number {
  return Math.ceil((kBlocks(s) * s.bits) / 8);
}

/**
 * Quantizes `rows` consecutive rows of length k (asymmetric, range widened to include 0 as MLAS does).
 * Writes into the row-aligned slices of the three outputs; `roundScale` maps a scale to what is stored
 * (fp16 rounding) so that codes are computed against the stored scale.
 */
export function quantizeRows(values: Float32Array, rows: number, s: NBitsShape,
  outB: Uint8Array, outScales: Float32Array, outZeroPoints: Uint8Array, roundScale: (x: number) => number = Math.fround): void {
  const blocks = kBlocks(s);
  const blob = blobBytes(s);
  const zpRow = zeroPointBytesPerRow(s);
  const qMax = (1 << s.bits) - 1;
  outZeroPoints.fill(0, 0, rows * zpRow);
  outB.fill(0, 0, rows * blocks * blob);
  for (let r = 0; r < rows; r++) {
    const row = r * s.k;
    for (let b = 0; b < blocks; b++) {
      const start = b * s.blockSize;
      const end = Math.min(start + s.blockSize, s.k);
      let min = 0;
      let max = 0;
      for (let i = start; i < end; i++) {
        const v = values[row + i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const scale = roundScale((max - min) / qMax);
      const inv = scale !== 0 ? 1 / scale : 0;
      const zp = Math.min(qMax, Math.max(0, Math.round(-min * inv)));
      outScales[r * blocks + b] = scale;
      const zpIndex = r * zpRow;
      if (s.bits === 8) outZeroPoints[zpIndex + b] = zp;
      else outZeroPoints[zpIndex + (b >> 1)] |= zp << ((b & 1) * 4);
      const blobStart = (r * blocks + b) * blob;
      for (let i = start; i < start + s.blockSize; i++) {
        // padding past k quantizes 0 to the zero point, so it dequantizes to 0
        const v = i < end ? values[row + i] : 0;
        const q = Math.min(qMax, Math.max(0, Math.round(v * inv) + zp));
        const j = i - start;
        if (s.bits === 8) outB[blobStart + j] = q;
        else outB[blobStart + (j >> 1)] |= q << ((j & 1) * 4);
      }
    }
  }
}

/** Dequantizes one row back to floats (tests and error estimates). */
export function dequantizeRow(r: number, s: NBitsShape, b: Uint8Array, scales: ArrayLike<number>, zeroPoints: Uint8Array): Float64Array {
  const blocks = kBlocks(s);
  const blob = blobBytes(s);
  const zpRow = zeroPointBytesPerRow(s);
  const out = new Float64Array(s.k);
  for (let i = 0; i < s.k; i++) {
    const blk = Math.floor(i / s.blockSize);
    const j = i - blk * s.blockSize;
    const byte = b[(r * blocks + blk) * blob + (s.bits === 8 ? j : j >> 1)];
    const q = s.bits === 8 ? byte : (byte >> ((j & 1) * 4)) & 15;
    const zpByte = zeroPoints[r * zpRow + (s.bits === 8 ? blk : blk >> 1)];
    const zp = s.bits === 8 ? zpByte : (zpByte >> ((blk & 1) * 4)) & 15;
    out[i] = (q - zp) * scales[r * blocks + blk];
  }
  return out;
}
