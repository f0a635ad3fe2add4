// fastErf (kernels/fast-erf.ts, lib.erf of the generated loops) against an accurate reference written
// here: the Maclaurin series in double-double arithmetic below 3, 1 - erfc beyond (erfc by its
// continued fraction). Within 4 ulp everywhere (fast-check and a dense
// grid), odd, exact at 0, ±1 past 6, NaN and ±Infinity handled; and erfSeries, the old lib.erf,
// agrees with it to 1e-13 (erfSeries loses bits near 2.5 where its terms alternate).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfSeries, fastErf } from '../../../packages/autodiff/src/kernels/fast-erf.js';
import { scalarLib } from '../../../packages/autodiff/src/kernels/scalar-lib.js';

/** A double-double: hi + lo, |lo| <= ulp(hi)/2 (~106 bits). */
type DD = readonly [number, number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** a·b exactly as hi + lo (Dekker's split: no FMA needed). */
function twoProd(a: number, b: number): DD {
  const split = (v: number): DD => {
    const c = 134217729 * v;
    const hi = c - (c - v);
    return [hi, v - hi];
  };
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function add(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  return twoSum(s, e + a[1] + b[1]);
}

function mul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

function div(a: DD, b: number): DD {
  const q = a[0] / b;
  const [p, e] = twoProd(q, b);
  return twoSum(q, (a[0] - p - e + a[1]) / b);
}

/** 2/sqrt(pi) to ~106 bits. */
const TWO_OVER_SQRT_PI: DD = [1.1283791670955126, 1.533545961316588e-17];

/**
 * erf accurately: below 3 the Maclaurin series in double-double (its alternating terms reach
 * ~e^9, 13 of the 106 bits lost); from 3 on 1 - erfc, erfc by its continued fraction from the
 * bottom up (erfc < 2.3e-5 there: its own few-ulp error is far below an ulp of 1).
 */
function reference(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    const x2 = mul([x, 0], [x, 0]);
    let term: DD = [x, 0];
    let sum: DD = [x, 0];
    for (let k = 1; k < 200 && Math.abs(term[0]) > 1e-40 * Math.abs(sum[0]); k++) {
      term = div(mul(term, [-x2[0], -x2[1]]), k);
      sum = add(sum, div(term, 2 * k + 1));
    }
    return mul(TWO_OVER_SQRT_PI, sum)[0];
  }
  if (ax >= 6) return Math.sign(x);
  let fraction = ax;
  for (let k = 300; k >= 1; k--) fraction = ax + k / 2 / fraction;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * fraction));
}

/** The gap between doubles at the size of v (the smallest normal one's below it). */
function ulp(v: number): number {
  const a = Math.max(Math.abs(v), 2 ** -1022);
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

const ulpsOff = (x: number): number => Math.abs(fastErf(x) - reference(x)) / ulp(reference(x));

describe('fastErf', () => {
  it('is lib.erf', () => {
    expect(scalarLib.erf).toBe(fastErf);
  });

  it('is within 4 ulp of the reference on a dense grid over [-7, 7] and down to 1e-300', () => {
    let worst = 0;
    for (let i = 0; i <= 140000; i++) worst = Math.max(worst, ulpsOff(-7 + i / 10000 + 3e-9 * Math.sin(i)));
    for (let e = -300; e <= 0; e += 0.25) worst = Math.max(worst, ulpsOff(10 ** e), ulpsOff(-(10 ** e)));
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('is within 4 ulp of the reference at random points (fast-check), and within 1e-13 of erfSeries', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(ulpsOff(x)).toBeLessThanOrEqual(4);
        expect(Math.abs(fastErf(x) - erfSeries(x))).toBeLessThanOrEqual(1e-13 * Math.max(Math.abs(x), 1e-300));
      }),
      { numRuns: 20000 },
    );
  });

  it('is odd, 0 at 0, ±1 from 6 on, NaN for NaN', () => {
    for (const x of [1e-320, 0.3, 0.5, 1.7, 2.5, 4.2, 5.999]) expect(fastErf(-x)).toBe(-fastErf(x));
    expect(Object.is(fastErf(0), 0)).toBe(true);
    expect(Object.is(fastErf(-0), -0)).toBe(true);
    expect([fastErf(6), fastErf(50), fastErf(Infinity), fastErf(-6), fastErf(-Infinity)]).toEqual([1, 1, 1, -1, -1]);
    expect(fastErf(Number.NaN)).toBeNaN();
  });
});
