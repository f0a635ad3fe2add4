// Short rows (R <= 16 reduced elements in a row) and few columns (K <= 16 outputs advancing
// together) are reduced by unrolled generated code (kernels/reduce.ts, UNROLL). Checked against
// plain loops in the same order, bit for bit, on both sides of the limit, NaN and infinities
// included, plain and fused with the elementwise loop of their input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { max, mean, min, mul, placeholder, planOf, prod, Random, sum } from '@descent/autodiff';

type Name = 'sum' | 'mean' | 'max' | 'min' | 'prod';
const ops = { sum, mean, max, min, prod } as const;

function fold(name: Name, values: number[]): number {
  let acc = name === 'max' ? -Infinity : name === 'min' ? Infinity : name === 'prod' ? 1 : 0;
  for (const v of values) {
    if (name === 'sum' || name === 'mean') acc = acc + v;
    else if (name === 'prod') acc = acc * v;
    else if (name === 'max') acc = v > acc || v !== v ? v : acc;
    else acc = v < acc || v !== v ? v : acc;
  }
  return name === 'mean' ? acc / values.length : acc;
}

/** [O, R, K] reduced over axis 1 by hand, element (o, r, k) = f(o, r, k). */
function byHand(name: Name, O: number, R: number, K: number, at: (i: number) => number): number[] {
  const out: number[] = [];
  for (let o = 0; o < O; o++) {
    for (let k = 0; k < K; k++) {
      const vals: number[] = [];
      for (let r = 0; r < R; r++) vals.push(at((o * R + r) * K + k));
      out.push(fold(name, vals));
    }
  }
  return out;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
  expect(Array.from(a).map(String)).toEqual(Array.from(b).map(String));
};

/** Puts a NaN, an Infinity and a -Infinity into `data` at places chosen by `seed`. */
function withSpecials(data: Float64Array, seed: number): void {
  data[seed % data.length] = NaN;
  data[(seed * 7 + 3) % data.length] = Infinity;
  data[(seed * 5 + 1) % data.length] = -Infinity;
}

describe('unrolled reductions of short rows and few columns', () => {
  it('equal plain loops on [O, R, K] for R and K across the limit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Name>('sum', 'mean', 'max', 'min', 'prod'),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 19 }),
        fc.constantFrom(1, 2, 5, 10, 16, 17),
        fc.boolean(),
        fc.nat(100),
        (name, O, R, K, special, seed) => {
          const rng = new Random(seed);
          const data = rng.randn([O, R, K]).data;
          if (special) withSpecials(data, seed);
          const x = placeholder([O, R, K], 'x');
          const plan = planOf([x], [ops[name](x, [1])]);
          same(plan.run([data])[0]!.data, byHand(name, O, R, K, (i) => data[i]!));
          // rows: [O, R] over axis 1 (K = 1)
          const y = placeholder([O * K, R], 'y');
          const rows = planOf([y], [ops[name](y, [1])]);
          same(rows.run([data])[0]!.data, byHand(name, O * K, R, 1, (i) => data[i]!));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('long rows folded ROW_LANES at a time (and the rows left over one by one) equal plain loops, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Name>('sum', 'mean', 'max', 'min', 'prod'),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 17, max: 80 }),
        fc.boolean(),
        fc.nat(100),
        (name, O, R, special, seed) => {
          const data = new Random(seed).randn([O, R]).data;
          if (special) {
            data[seed % data.length] = NaN;
            data[(seed * 7 + 3) % data.length] = Infinity;
          }
          const y = placeholder([O, R], 'y');
          same(planOf([y], [ops[name](y, [1])]).run([data])[0]!.data, byHand(name, O, R, 1, (i) => data[i]!));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fused with the product of two arrays: sum(a * b) over rows of 10 and columns of 10', () => {
    const rng = new Random(9);
    const av = rng.randn([300, 10]).data;
    const bv = rng.randn([300, 10]).data;
    const a = placeholder([300, 10], 'a');
    const b = placeholder([300, 10], 'b');
    const plan = planOf([a, b], [sum(mul(a, b), [1]), sum(mul(b, a), [0])]);
    expect(plan.dump()).toMatch(/= sum\(.*\{ .* v = /);
    const [r, c] = plan.run([av, bv]);
    same(r!.data, byHand('sum', 300, 10, 1, (i) => av[i]! * bv[i]!));
    same(c!.data, byHand('sum', 1, 300, 10, (i) => av[i]! * bv[i]!));
  });
});
