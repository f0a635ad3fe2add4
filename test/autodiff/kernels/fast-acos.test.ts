// The JS acos inlined into generated loops (kernels/fast-acos.ts) against Math.acos: within 2 ulp
// on [-1, 1] (1 ulp measured), exact at the ends and the middle, NaN outside.
import { describe, expect, it } from 'vitest';
import { acos, compile, Random } from '@descent/autodiff';
import { fastAcos } from '../../../packages/autodiff/src/kernels/fast-acos.js';

/** The spacing of doubles at v. */
function ulp(v: number): number {
  const a = Math.abs(v);
  return a === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(a)) - 52);
}

describe('fast acos', () => {
  it('is within 2 ulp of Math.acos on 2e6 points, dense near ±1 and ±1/2 (the branch points)', () => {
    const rng = new Random(5);
    const uniform = rng.rand([1e6], -1, 1).data;
    const nearEnds = rng.rand([1e6], 0, 1).data;
    let worst = 0;
    const check = (x: number): void => {
      worst = Math.max(worst, Math.abs(fastAcos(x) - Math.acos(x)) / ulp(Math.acos(x)));
    };
    for (const x of uniform) check(x);
    for (let i = 0; i < nearEnds.length; i++) {
      const t = nearEnds[i]! ** 4 * 1e-3;
      check(i % 4 === 0 ? 1 - t : i % 4 === 1 ? -1 + t : i % 4 === 2 ? 0.5 + (t - 5e-4) : -0.5 + (t - 5e-4));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('gives the exact values at -1, 0, 1 and NaN outside [-1, 1]', () => {
    expect(fastAcos(1)).toBe(0);
    expect(fastAcos(-1)).toBe(Math.PI);
    expect(fastAcos(0)).toBe(Math.PI / 2);
    expect(fastAcos(-0)).toBe(Math.PI / 2);
    for (const x of [NaN, 1 + 2 ** -52, -1 - 2 ** -52, 2, -Infinity, Infinity]) expect(Number.isNaN(fastAcos(x))).toBe(true);
  });

  it('is what the compiled acos computes', () => {
    const x = new Random(2).rand([1000], -1, 1).data;
    const got = compile((t) => acos(t), [[1000]]).run([x])[0]!.data;
    for (let i = 0; i < 1000; i++) expect(got[i]).toBe(fastAcos(x[i]!));
  });
});
