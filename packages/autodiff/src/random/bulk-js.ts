// The bulk generator in plain JS: xoshiro128** words, 53-bit uniforms and ziggurat normals. The
// reference every other backend (bulk-wasm.ts, native/random.c) must match bit for bit.
//
// The state is four int32 words in an Int32Array that the kernels read and write back, so a stream
// can move between backends between calls. Words are consumed in a fixed order:
//   uniform: a = next(), b = next();  u = (a · 2^21 + (b >>> 11)) · 2^-53, in [0, 1)
//   normal:  a = next(), b = next();  layer i = a & 255, sign = a & 256, magnitude h = b · 2^20 + (a >>> 12)
//            (52 bits); x = h · W[i]; accepted at once when h < K[i] (about 99% of draws); otherwise
//            the slow path below draws uniforms for the tail or the wedge, or rejects and starts over.
import { expNonPositive, logUnit } from './exact-math.js';
import { ZIGGURAT_F, ZIGGURAT_K, ZIGGURAT_R, ZIGGURAT_W } from './ziggurat-tables.js';

const K = Float64Array.from(ZIGGURAT_K);
const W = Float64Array.from(ZIGGURAT_W);
const F = Float64Array.from(ZIGGURAT_F);
const TWO_20 = 1048576;
const TWO_21 = 2097152;
const TWO_M53 = 1.1102230246251565e-16;

/** The next 32-bit word of xoshiro128** (Blackman & Vigna), advancing `s` in place. */
export function nextWord(s: Int32Array): number {
  const s0 = s[0]!, s1 = s[1]!;
  let s2 = s[2]!, s3 = s[3]!;
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s[1] = s1 ^ s2;
  s[0] = s0 ^ s3;
  s[2] = s2 ^ t;
  s[3] = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function nextUniform(s: Int32Array): number {
  const a = nextWord(s) >>> 0;
  const b = nextWord(s) >>> 11;
  return (a * TWO_21 + b) * TWO_M53;
}

/**
 * The ziggurat's slow path after a fast draw in layer `layer` fell outside its rectangle (x is that
 * draw's magnitude): the magnitude of a normal, or NaN when the draw is rejected (the caller then
 * draws a whole new normal). Layer 0 continues into the tail past R (Marsaglia's method); the other
 * layers test the wedge under the density.
 */
export function zigguratSlow(s: Int32Array, layer: number, x: number): number {
  if (layer === 0) {
    let t: number;
    let y: number;
    do {
      t = -logUnit(1 - nextUniform(s)) / ZIGGURAT_R;
      y = -logUnit(1 - nextUniform(s));
    } while (y + y < t * t);
    return ZIGGURAT_R + t;
  }
  const f = F[layer]!;
  return f + nextUniform(s) * (F[layer - 1]! - f) < expNonPositive(-0.5 * x * x) ? x : NaN;
}

/** out[offset + i] = a standard normal, for i < count. */
export function fillNormalJs(state: Int32Array, out: Float64Array, offset: number, count: number): void {
  let s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  const end = offset + count;
  for (let i = offset; i < end; i++) {
    for (;;) {
      // two xoshiro128** steps, inlined
      const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      const layer = a & 255;
      const h = (b >>> 0) * TWO_20 + (a >>> 12);
      let x = h * W[layer]!;
      if (h >= K[layer]!) {
        state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
        x = zigguratSlow(state, layer, x);
        s0 = state[0]!; s1 = state[1]!; s2 = state[2]!; s3 = state[3]!;
        if (x !== x) continue;
      }
      // the sign by a product with ±1 (exact: a sign flip), not a branch that mispredicts half the time
      out[i] = x * (1 - ((a >>> 7) & 2));
      break;
    }
  }
  state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
}

/** out[offset + i] = a uniform in [0, 1) with 53 random bits, for i < count. */
export function fillUniformJs(state: Int32Array, out: Float64Array, offset: number, count: number): void {
  let s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  const end = offset + count;
  for (let i = offset; i < end; i++) {
    const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = ((a >>> 0) * TWO_21 + (b >>> 11)) * TWO_M53;
  }
  state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
}
