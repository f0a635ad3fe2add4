// Least-squares slope and rate fits on exact power laws and exponentials; number formatting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitRate, fitSlope, fitValue, lastDecade, lastDecadeOf } from '../../packages/cli/src/fit.js';
import { fmt, fmtDuration, fmtExact } from '../../packages/cli/src/format.js';
import { logSteps } from '../../packages/cli/src/runlog.js';

describe('fitSlope', () => {
  it('recovers the exponent of an exact power law on log-spaced steps', () => {
    fc.assert(
      fc.property(fc.double({ min: -4, max: 2, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (p, c) => {
        const t = logSteps(100000, 200).filter((s) => s > 0);
        const y = t.map((s) => c * s ** p);
        const r = fitSlope(t, y, 1e4, 1e5);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.fit.slope).toBeCloseTo(p, 9);
        if (Math.abs(p) > 1e-3) expect(r.fit.r2).toBeCloseTo(1, 9); // a flat line has no r² to speak of
        expect(fitValue(r.fit, 3e4) / (c * 3e4 ** p)).toBeCloseTo(1, 8);
      }),
    );
  });

  it('uses only the window, inclusive', () => {
    const t = [1, 10, 100, 1000];
    const y = [1, 1e-2, 1e-4, 1]; // slope -2 on [1, 100], then a jump
    const r = fitSlope(t, y, 1, 100);
    expect(r.ok && r.fit.slope).toBeCloseTo(-2, 12);
    expect(r.ok && r.fit.n).toBe(3);
  });

  it('ignores non-positive values and step 0, and says so', () => {
    const t = [0, 1, 10, 100, 1000];
    const y = [5, 1, 0, 1e-3, NaN];
    const r = fitSlope(t, y, 0, 1000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fit.slope).toBeCloseTo(-1.5, 12);
    expect(r.fit.ignored).toBe(3);
    expect(r.fit.note).toMatch(/2 values not positive and finite/);
    expect(r.fit.note).toMatch(/step 0/);
  });

  it('fails with a reason when fewer than two points remain', () => {
    const r = fitSlope([1, 10, 100], [1, -1, 0], 1, 100);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/only one usable point in \[1, 100\]; ignored 2 values/) });
    expect(fitSlope([1, 2], [1, 1], 5, 9)).toMatchObject({ ok: false, reason: expect.stringMatching(/no usable points/) });
    expect(fitSlope([1, 2], [1, 1], 9, 5)).toMatchObject({ ok: false, reason: expect.stringMatching(/empty window/) });
  });
});

describe('fitRate', () => {
  it('recovers the rate of an exact exponential, also at large t', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e-3, max: -1e-6, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (k, offset) => {
        const t = Array.from({ length: 50 }, (_, i) => offset + 100 * i);
        const y = t.map((s) => 2 * Math.exp(k * (s - offset)));
        const r = fitRate(t, y, offset, offset + 4900);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.fit.slope / k).toBeCloseTo(1, 7);
      }),
    );
  });

  it('includes step 0, which has a value though no logarithm of t', () => {
    const r = fitRate([0, 1, 2], [1, Math.exp(-0.5), Math.exp(-1)], 0, 2);
    expect(r.ok && r.fit.slope).toBeCloseTo(-0.5, 14);
    expect(r.ok && r.fit.ignored).toBe(0);
  });
});

describe('windows', () => {
  it('the last decade', () => {
    expect(lastDecade(1e5)).toEqual([1e4, 1e5]);
    expect(lastDecadeOf([0, 1, 50, 20])).toEqual([5, 50]);
    expect(lastDecadeOf([0])).toBeNull();
  });
});

describe('format', () => {
  it.each([
    [-2.9312, '-2.93'], [0.03125, '0.0313'], [3.2e-9, '3.2e-9'], [1.5e6, '1.5e6'], [0, '0'], [12, '12'],
    [NaN, 'NaN'], [-Infinity, '-inf'], [1234.5, '1235'], [99999, '99999'],
  ])('fmt(%s) = %s', (x, s) => expect(fmt(x)).toBe(s));

  it.each([[1e4, '1e4'], [1e5, '1e5'], [1e-8, '1e-8'], [0.3, '0.3'], [-3, '-3'], [2000, '2000'], [2.5e-7, '2.5e-7']])(
    'fmtExact(%s) = %s',
    (x, s) => expect(fmtExact(x)).toBe(s),
  );

  it('durations', () => {
    expect(fmtDuration(0.85)).toBe('850 ms');
    expect(fmtDuration(12.34)).toBe('12.3 s');
    expect(fmtDuration(245)).toBe('4 min 05 s');
    expect(fmtDuration(7380)).toBe('2 h 03 min');
  });
});
