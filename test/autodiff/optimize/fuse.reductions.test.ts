// Reductions that compute their input's elementwise loop themselves (optimize/fuse.ts,
// kernels/reduce.ts fusedReduceKernel): same values as one kernel per node, for every reduction
// without a first pass, every axes layout (trailing rows, leading columns, scattered).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, exp, max, mean, min, mul, placeholder, planOf, prod, Random, relu, setKernelMode, sum, tanh,
} from '@descent/autodiff';

const reductions = { sum, mean, max, min, prod } as const;

describe('reductions fused with their input loop', () => {
  it('match the unfused plan on every layout', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(reductions) as (keyof typeof reductions)[])),
        fc.constantFrom([0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]),
        fc.boolean(),
        fc.nat(50),
        (name, axes, keepDims, seed) => {
          const x = placeholder([3, 4, 5], 'x');
          const y = placeholder([3, 4, 5], 'y');
          const c = placeholder([], 'c');
          const z = add(mul(tanh(x), y), mul(c, exp(mul(y, 0.1))));
          const out = reductions[name](z, axes, { keepDims });
          const on = planOf([x, y, c], [out]);
          const off = planOf([x, y, c], [out], { passes: [], reuseBuffers: false });
          expect(on.dump()).toMatch(new RegExp(`= ${name}\\(.*\\{ .* v = `));
          const rng = new Random(seed);
          const values = [rng.randn([3, 4, 5]).data, rng.randn([3, 4, 5]).data, rng.randn([]).data];
          const a = on.run(values)[0]!.data;
          const b = off.run(values)[0]!.data;
          for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('leaves the loop alone when its value is also read elsewhere or an input is broadcast across rows', () => {
    const x = placeholder([6, 5], 'x');
    const r = placeholder([6, 1], 'r');
    const c = placeholder([1, 5], 'c');
    const z = relu(x);
    const shared = planOf([x], [sum(z, [1]), mul(z, 2)]).dump();
    expect(shared).toMatch(/= relu\(/);
    // a per-row value summed over the rows, or a per-column value summed over the columns of a
    // non-square matrix: stored, then summed
    expect(planOf([x, r], [sum(mul(x, r), [0])]).dump()).toMatch(/= mul\(%\d+, %\d+\) \[6, 5\]/);
    const c6 = placeholder([1, 6], 'c');
    const xt = placeholder([5, 6], 'x');
    expect(planOf([xt, c6], [sum(mul(xt, c6), [0])]).dump()).toMatch(/= mul\(%\d+, %\d+\) \[5, 6\]/);
    // one value per column summed along each row: one loop
    expect(planOf([x, c], [sum(mul(x, c), [1])]).stats.kernels).toBe(1);
  });

  it('folds a whole matrix with per-row and per-column inputs in one loop, in row-major order (generated and interpreted)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 40 }), fc.constantFrom(sum, mean, max, prod), fc.boolean(), fc.nat(50),
        (m, n, reduce, interpreted, seed) => {
          setKernelMode(interpreted ? 'interpreted' : 'generated');
          try {
            const x = placeholder([m, n], 'x');
            const r = placeholder([m, 1], 'r');
            const c = placeholder([1, n], 'c');
            const out = reduce(mul(add(tanh(x), c), r));
            const on = planOf([x, r, c], [out]);
            const off = planOf([x, r, c], [out], { passes: [], reuseBuffers: false });
            expect(on.stats.kernels).toBe(1);
            const rng = new Random(seed);
            const values = [rng.randn([m, n]).data, rng.randn([m, 1]).data, rng.randn([1, n]).data];
            expect(on.run(values)[0]!.data[0]).toBe(off.run(values)[0]!.data[0]);
          } finally {
            setKernelMode('generated');
          }
        }),
      { numRuns: 60 },
    );
  });

  it('reads per-row and per-column inputs in one loop when it sums over the last axis (generated and interpreted)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.constantFrom(sum, mean, max), fc.boolean(), fc.nat(50), (n, reduce, interpreted, seed) => {
        setKernelMode(interpreted ? 'interpreted' : 'generated');
        try {
          const x = placeholder([7, n], 'x');
          const r = placeholder([7, 1], 'r');
          const c = placeholder([1, n], 'c');
          const out = reduce(add(mul(tanh(x), c), mul(r, c)), [1]);
          const on = planOf([x, r, c], [out]);
          const off = planOf([x, r, c], [out], { passes: [], reuseBuffers: false });
          expect(on.stats.kernels).toBe(1);
          const rng = new Random(seed);
          const values = [rng.randn([7, n]).data, rng.randn([7, 1]).data, rng.randn([1, n]).data];
          const a = on.run(values)[0]!.data;
          const b = off.run(values)[0]!.data;
          for (let i = 0; i < b.length; i++) expect(a[i]).toBe(b[i]!);
        } finally {
          setKernelMode('generated');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads a per-row input once per row when it sums over the last axis (short and long rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.constantFrom(sum, mean, max), fc.nat(50), (n, reduce, seed) => {
        const x = placeholder([7, n], 'x');
        const r = placeholder([7, 1], 'r');
        const out = reduce(mul(tanh(x), r), [1]);
        const on = planOf([x, r], [out]);
        const off = planOf([x, r], [out], { passes: [], reuseBuffers: false });
        expect(on.stats.kernels).toBe(1);
        const rng = new Random(seed);
        const values = [rng.randn([7, n]).data, rng.randn([7, 1]).data];
        const a = on.run(values)[0]!.data;
        const b = off.run(values)[0]!.data;
        for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
      }),
      { numRuns: 60 },
    );
  });
});
