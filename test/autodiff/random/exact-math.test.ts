// random/exact-math.ts: exp and log from + - * / only, within a few ulps of Math's on the ranges the ziggurat uses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expNonPositive, logUnit } from '../../../packages/autodiff/src/random/exact-math.js';

const relErr = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe('expNonPositive', () => {
  it('is within 4e-16 relative of Math.exp on [-30, 0] (the wedge needs [-6.7, 0])', () => {
    fc.assert(fc.property(fc.double({ min: -30, max: 0, noNaN: true }), (y) => relErr(expNonPositive(y), Math.exp(y)) < 4e-16), { numRuns: 20000 });
  });

  it('is exact at 0, and 0 far below the smallest double', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-800)).toBe(0);
  });
});

describe('logUnit', () => {
  it('is within 1e-15 absolute + 4e-16 relative of Math.log on (0, 1]', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -53, max: 1, noNaN: true }), (u) => Math.abs(logUnit(u) - Math.log(u)) <= 1e-15 + 4e-16 * Math.abs(Math.log(u))),
      { numRuns: 20000 },
    );
  });

  it('is exact at 1 and at powers of two within the split of ln 2', () => {
    expect(logUnit(1)).toBe(0);
    expect(relErr(logUnit(2 ** -53), -53 * Math.LN2)).toBeLessThan(2e-16);
    expect(relErr(logUnit(0.5), -Math.LN2)).toBeLessThan(2e-16);
  });
});
