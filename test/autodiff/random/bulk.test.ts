// random/bulk.ts: the bulk stream gives the same bits on every backend (JS, WebAssembly, native),
// in any chunking, from a saved state; its normals and uniforms have the right distribution.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BULK_GENERATOR, BulkRandom, categoriesFromUniforms } from '../../../packages/autodiff/src/index.js';
import { kernelBackend, kernelBackends, setKernelBackend, type Backend } from '../../../packages/autodiff/src/kernels/registry.js';
import { nextWord } from '../../../packages/autodiff/src/random/bulk-js.js';
import { ZIGGURAT_R } from '../../../packages/autodiff/src/random/ziggurat-tables.js';

const initial = { normal: kernelBackend('randomNormal'), uniform: kernelBackend('randomUniform') };
afterEach(() => {
  setKernelBackend('randomNormal', initial.normal);
  setKernelBackend('randomUniform', initial.uniform);
});

function useBackend(b: Backend): void {
  setKernelBackend('randomNormal', b);
  setKernelBackend('randomUniform', b);
}

const bits = (x: Float64Array): BigUint64Array => new BigUint64Array(x.buffer, x.byteOffset, x.length);

/** The index of the first value whose bits differ, or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  const x = bits(a), y = bits(b);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** The standard normal CDF to about 1e-14: erf by its Taylor series below |x|/√2 = 3, erfc by its continued fraction above. */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  let erfc: number;
  if (z < 3) {
    let term = z, sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    erfc = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (z + f);
    erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The Kolmogorov–Smirnov statistic of a sample against `cdf`. */
function ksStatistic(sample: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = cdf(s[i]!);
    d = Math.max(d, (i + 1) / s.length - f, f - i / s.length);
  }
  return d;
}

describe('the bulk stream is the same on every backend', () => {
  const backends = kernelBackends('randomNormal');

  it('has the JS backend everywhere, and the registry offers it for both fills', () => {
    expect(backends[backends.length - 1]).toBe('js');
    expect(kernelBackends('randomUniform')).toEqual(backends);
  });

  it.each(backends)('%s: 3 million normals and 1 million uniforms bit-identical to the JS reference, state included', (backend) => {
    const ref = { normal: new Float64Array(3_000_000), uniform: new Float64Array(1_000_000) };
    const refRng = new BulkRandom('bits');
    useBackend('js');
    refRng.fillNormal(ref.normal);
    refRng.fillUniform(ref.uniform);
    useBackend(backend);
    const rng = new BulkRandom('bits');
    const normal = rng.fillNormal(new Float64Array(3_000_000));
    const uniform = rng.fillUniform(new Float64Array(1_000_000));
    expect(firstDifference(normal, ref.normal)).toBe(-1);
    expect(firstDifference(uniform, ref.uniform)).toBe(-1);
    expect(rng.state()).toEqual(refRng.state());
  });

  it('any split into chunks, each on any backend, gives the bits of one fill', () => {
    const whole = new Float64Array(5000);
    useBackend('js');
    new BulkRandom(11).fillNormal(whole);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.constantFrom(...backends), fc.boolean()), { maxLength: 12 }), (chunks) => {
        let rng = new BulkRandom(11);
        const got = new Float64Array(5000);
        let at = 0;
        for (const [n, backend, viaState] of chunks) {
          const count = Math.min(n, 5000 - at);
          useBackend(backend);
          // a chunk may also continue from a saved state (as a resumed run does)
          if (viaState) rng = new BulkRandom('ignored', JSON.parse(JSON.stringify(rng.state())) as ReturnType<BulkRandom['state']>);
          rng.fillNormal(got.subarray(at, at + count));
          at += count;
        }
        useBackend('js');
        rng.fillNormal(got.subarray(at));
        return firstDifference(got, whole) === -1;
      }),
      { numRuns: 60 },
    );
  });

  it('the kernels fill exactly [offset, offset + count), on every backend', () => {
    for (const backend of backends) {
      useBackend(backend);
      const out = new Float64Array(20).fill(7);
      new BulkRandom(1).fillNormal(out.subarray(5, 15));
      expect(Array.from(out.subarray(0, 5))).toEqual([7, 7, 7, 7, 7]);
      expect(Array.from(out.subarray(15))).toEqual([7, 7, 7, 7, 7]);
      expect(out.subarray(5, 15).every((x) => x !== 7)).toBe(true);
    }
  });
});

describe('the generator', () => {
  it('is xoshiro128** (Blackman & Vigna): its first words from the state 1, 2, 3, 4', () => {
    // reference values of the C code at prng.di.unimi.it/xoshiro128starstar.c from s = {1, 2, 3, 4}
    const s = Int32Array.of(1, 2, 3, 4);
    const words = Array.from({ length: 6 }, () => nextWord(s) >>> 0);
    expect(words).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is seeded through seedrandom: the same seed gives the same stream, another seed another', () => {
    const a = new BulkRandom('7/samples').fillUniform(new Float64Array(8));
    const b = new BulkRandom('7/samples').fillUniform(new Float64Array(8));
    const c = new BulkRandom('8/samples').fillUniform(new Float64Array(8));
    expect(firstDifference(a, b)).toBe(-1);
    expect(firstDifference(a, c)).toBe(0);
  });

  it('saves its state as its name and 4 int32 words, and refuses a state it cannot continue', () => {
    const rng = new BulkRandom(3);
    rng.fillNormal(new Float64Array(17));
    const state = rng.state();
    expect(state.generator).toBe(BULK_GENERATOR);
    expect(state.words).toHaveLength(4);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const next = rng.fillNormal(new Float64Array(5));
    expect(firstDifference(new BulkRandom('other', state).fillNormal(new Float64Array(5)), next)).toBe(-1);
    expect(() => new BulkRandom(1, { generator: 'xor4096' as typeof BULK_GENERATOR, words: [1, 2, 3, 4] })).toThrow(/xoshiro128\*\*, not xor4096/);
    expect(() => new BulkRandom(1, { generator: BULK_GENERATOR, words: [1, 2, 3] })).toThrow(/4 int32 words/);
    expect(() => new BulkRandom(1, { generator: BULK_GENERATOR, words: [0, 0, 0, 0] })).toThrow(/all zeros/);
  });
});

describe('the distribution', () => {
  const N = 2_000_000;
  const z = new BulkRandom('moments').fillNormal(new Float64Array(N));

  it('normals: mean 0, variance 1, skewness 0, kurtosis 3 within 5 standard errors', () => {
    let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (const x of z) {
      m1 += x; m2 += x * x; m3 += x * x * x; m4 += x * x * x * x;
    }
    m1 /= N; m2 /= N; m3 /= N; m4 /= N;
    // standard errors of the raw moments of N(0, 1): sqrt(Var(x^k) / N) = sqrt((E x^2k - (E x^k)^2) / N)
    expect(Math.abs(m1)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / N));
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
  });

  it('normals pass a Kolmogorov–Smirnov test against Φ (D below the 0.001 critical value)', () => {
    const d = ksStatistic(z, normalCdf);
    expect(d).toBeLessThan(1.95 / Math.sqrt(N));
  });

  it('the tail past the ziggurat edge R: its mass, and its shape by a KS test of the excess', () => {
    const tail = z.filter((x) => Math.abs(x) > ZIGGURAT_R).map(Math.abs);
    const p = 2 * (1 - normalCdf(ZIGGURAT_R));
    const expected = N * p;
    expect(Math.abs(tail.length - expected)).toBeLessThan(5 * Math.sqrt(expected));
    // |x| beyond R: P(|x| <= t | |x| > R) = (Φ(t) - Φ(R)) / (1 - Φ(R))
    const tailCdf = (t: number): number => (normalCdf(t) - normalCdf(ZIGGURAT_R)) / (1 - normalCdf(ZIGGURAT_R));
    expect(ksStatistic(tail, tailCdf)).toBeLessThan(1.95 / Math.sqrt(tail.length));
    // both signs of the tail occur
    expect(z.some((x) => x > ZIGGURAT_R) && z.some((x) => x < -ZIGGURAT_R)).toBe(true);
  });

  it('uniforms: in [0, 1), multiples of 2^-53, mean 1/2 and a KS test against the identity', () => {
    const u = new BulkRandom('uniform').fillUniform(new Float64Array(N));
    let mean = 0;
    let outside = 0;
    for (const x of u) {
      if (!(x >= 0 && x < 1 && Number.isInteger(x * 2 ** 53))) outside++;
      mean += x / N;
    }
    expect(outside).toBe(0);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(ksStatistic(u, (x) => x)).toBeLessThan(1.95 / Math.sqrt(N));
  });

  it('fillNormal with a mean and std scales the standard draws; fillUniform with bounds likewise', () => {
    const std = new BulkRandom(5).fillNormal(new Float64Array(100));
    const scaled = new BulkRandom(5).fillNormal(new Float64Array(100), 2, 3);
    scaled.forEach((x, i) => expect(x).toBe(2 + 3 * std[i]!));
    const u = new BulkRandom(5).fillUniform(new Float64Array(100));
    new BulkRandom(5).fillUniform(new Float64Array(100), -1, 1).forEach((x, i) => expect(x).toBe(-1 + 2 * u[i]!));
  });

  it('categorical codes: frequencies match p (normalized), every code in range', () => {
    const p = Float64Array.of(0.5, 0.25, 1.25);
    const codes = new BulkRandom('cat').fillCategorical(new Float64Array(300_000), p);
    const counts = [0, 0, 0];
    for (const k of codes) counts[k]!++;
    const total = 2;
    counts.forEach((c, k) => {
      const q = p[k]! / total;
      expect(Math.abs(c / codes.length - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / codes.length));
    });
    // the inverse CDF: u below p0/total is code 0, and so on
    expect(Array.from(categoriesFromUniforms(Float64Array.of(0, 0.2499, 0.25, 0.374, 0.376, 0.9999), p))).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
