// Seeded randomness for everything that must be reproducible: weights (every builder, ONNX and GGUF, draws a
// tensor's values from (seed, tensor name), independent of write order), prompts and sweep orders.

/** 32-bit FNV-1a of a string; mixes the tensor name into the stream seed. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** xoshiro128** stream: fast, good quality, reproducible across platforms. */
export class SeededRandom {
  private s0: number; private s1: number; private s2: number; private s3: number;

  constructor(seed: number, stream = "") {
    // splitmix32 to spread the seed over the state
    let x = (seed ^ hashName(stream)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in (0, 1). */
  nextFloat(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Fills `out` with normal(0, std) values (Box–Muller, both outputs used). */
  fillNormal(out: Float32Array, std: number): Float32Array {
    for (let i = 0; i < out.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.nextFloat())) * std;
      const a = 2 * Math.PI * this.nextFloat();
      out[i] = r * Math.cos(a);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(a);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The values of one weight tensor, row-major, in chunks so that a 7B model never sits in memory whole.
 * `chunkElements` bounds each chunk; the concatenation is independent of the chunk size.
 */
export function* seededNormalChunks(seed: number, tensorName: string, count: number, std: number,
  chunkElements = 1 << 22): Generator<Float32Array> {
  const rng = new SeededRandom(seed, tensorName);
  const step = chunkElements - (chunkElements % 2); // keep Box–Muller pairs aligned across chunks
  for (let done = 0; done < count; done += step) {
    yield rng.fillNormal(new Float32Array(Math.min(step, count - done)), std);
  }
}

/** A whole tensor at once; for small tensors and tests. */
export function seededNormal(seed: number, tensorName: string, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  let offset = 0;
  for (const chunk of seededNormalChunks(seed, tensorName, count, std)) { out.set(chunk, offset); offset += chunk.length; }
  return out;
}
