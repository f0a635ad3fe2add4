// Stacked plans (whole-step code) against each seed's own plan on random programs: every output bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs, acos, add, backward, clamp, constant, div, exp, logsumexp, matmulT, maximum, mul, norm, placeholder, planOf, sigmoid, sqrt,
  StackedPlan, sub, sum, tanh, withDeferredConstants, type Plan, type Tensor,
} from '@descent/autodiff';
import { MAX_SOURCE } from '../../../packages/autodiff/src/whole-step/stacked-plan.js';

/** One step of a random program: an operation and the pool entries it reads. */
interface Op {
  readonly kind: 'unary' | 'binary' | 'reduce' | 'matmul' | 'norm';
  readonly which: number;
  readonly a: number;
  readonly b: number;
}

const unaries = [
  (x: Tensor) => tanh(x), (x: Tensor) => exp(mul(x, 0.1)), (x: Tensor) => sqrt(abs(x)), (x: Tensor) => sigmoid(x),
  (x: Tensor) => acos(clamp(x, -1, 1)),
];
const binaries = [add, sub, mul, (a: Tensor, b: Tensor) => div(a, add(abs(b), 1)), maximum];

/** Broadcastable: equal trailing axes, or one of them 1. */
function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i]!;
    const y = b[b.length - i]!;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

/**
 * The program of `ops` over a parameter w [m, n], a row v [n] and a seed's constant c [m, n]:
 * its last value summed is the objective; outputs: objective, the gradient of w, and the last value.
 */
function program(ops: readonly Op[], m: number, n: number, c: Float64Array): { inputs: Tensor[]; outputs: Tensor[] } {
  const w = placeholder([m, n], 'w');
  const v = placeholder([n], 'v');
  const pool: Tensor[] = [w, v, constant(c, [m, n])];
  for (const op of ops) {
    const a = pool[op.a % pool.length]!;
    const b = pool[op.b % pool.length]!;
    if (op.kind === 'binary' && broadcastable(a.shape, b.shape)) pool.push(binaries[op.which % binaries.length]!(a, b));
    else if (op.kind === 'reduce' && a.shape.length > 0) {
      const axis = op.which % a.shape.length;
      pool.push(op.which % 3 === 2 ? logsumexp(a, [axis]) : sum(a, [axis]));
    } else if (op.kind === 'matmul' && a.shape.length === 2 && b.shape.length === 2) {
      const transB = a.shape[1] === b.shape[1];
      if (transB || a.shape[1] === b.shape[0]) pool.push(matmulT(a, b, { transB }));
      else pool.push(unaries[op.which % unaries.length]!(a));
    } else if (op.kind === 'norm') pool.push(norm(a));
    else pool.push(unaries[op.which % unaries.length]!(a));
  }
  const last = pool[pool.length - 1]!;
  const objective = sum(mul(last, last));
  const [g] = withDeferredConstants(true, () => backward(objective, [w]));
  return { inputs: [w, v], outputs: [objective, g!, last] };
}

/** A value's bits (so -0 and 0, or two NaNs, compare as what they are). */
const bits = (a: Float64Array): bigint[] => Array.from(new BigUint64Array(Float64Array.from(a).buffer));

const opArb = fc.record({
  kind: fc.constantFrom<Op['kind']>('unary', 'binary', 'binary', 'reduce', 'matmul', 'norm'),
  which: fc.nat(30), a: fc.nat(30), b: fc.nat(30),
});

describe('stacked plans', () => {
  it('give every seed its own plan\'s outputs, bit for bit, on random programs (kernels written out, looped and called)', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 1000 }),
        (ops, S, m, n, uniform, salt) => {
          // each seed's constant: its own values, or one value repeated (the uniform pass then changes the seed's plan)
          const constants = Array.from({ length: S }, (_, s) => Float64Array.from({ length: m * n }, (_, i) => (uniform[s] ? 0.3 + s : Math.sin(salt + 7 * s + 1.3 * i))));
          const plans: Plan[] = constants.map((c) => {
            const { inputs, outputs } = program(ops, m, n, c);
            return planOf(inputs, outputs);
          });
          const w = Float64Array.from({ length: S * m * n }, (_, i) => Math.cos(salt + 0.7 * i));
          const v = Float64Array.from({ length: n }, (_, i) => 0.25 * i - 1);
          const stacked = new StackedPlan(plans, [{ data: w, shared: false }, { data: v, shared: true }]);
          stacked.execute();
          stacked.execute(); // a second run: hoisted values and scratch reused
          plans.forEach((plan, s) => {
            const outs = plan.run([w.subarray(s * m * n, (s + 1) * m * n), v]);
            outs.forEach((o, k) => {
              const size = o.data.length;
              expect(bits(stacked.outputs[k]!.subarray(s * size, (s + 1) * size))).toEqual(bits(o.data));
            });
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('writes out folds reading per-row and per-column inputs (rows and whole matrices) with the same bits', () => {
    for (const [m, n] of [[3, 5], [4, 17], [6, 40]] as const) {
      const x = placeholder([m, n], 'x');
      const r = placeholder([m, 1], 'r');
      const c = placeholder([1, n], 'c');
      const outputs = [sum(mul(add(tanh(x), c), r)), sum(mul(tanh(x), c), [1]), sum(mul(exp(mul(x, 0.1)), r), [1])];
      const plans = [0, 1].map(() => planOf([x, r, c], outputs));
      const xs = Float64Array.from({ length: 2 * m * n }, (_, i) => Math.sin(1 + 0.37 * i));
      const rs = Float64Array.from({ length: m }, (_, i) => 0.5 + i);
      const cs = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
      const stacked = new StackedPlan(plans, [{ data: xs, shared: false }, { data: rs, shared: true }, { data: cs, shared: true }]);
      stacked.execute();
      plans.forEach((plan, s) => {
        plan.run([xs.subarray(s * m * n, (s + 1) * m * n), rs, cs]).forEach((o, k) => {
          const size = o.data.length;
          expect(bits(stacked.outputs[k]!.subarray(s * size, (s + 1) * size))).toEqual(bits(o.data));
        });
      });
    }
  });

  it('writes small kernels out and calls large ones', () => {
    const make = (m: number, n: number): StackedPlan => {
      const plans = [0, 1].map((s) => {
        const { inputs, outputs } = program([{ kind: 'matmul', which: 0, a: 0, b: 0 }, { kind: 'unary', which: 0, a: 3, b: 0 }], m, n, new Float64Array(m * n).fill(s + 0.5).map((x, i) => x * i));
        return planOf(inputs, outputs);
      });
      return new StackedPlan(plans, [{ data: new Float64Array(2 * m * n), shared: false }, { data: new Float64Array(n), shared: true }]);
    };
    const small = make(2, 3);
    expect(small.called).toBe(0);
    expect(small.inlined).toBeGreaterThan(2);
    expect(make(40, 40).called).toBeGreaterThan(0);
  });

  it('past its source budget calls the remaining kernels, with the same bits', () => {
    const plans = [0, 1].map((s) => {
      const w = placeholder([16, 16], 'w');
      const c = constant(Float64Array.from({ length: 256 }, (_, i) => Math.sin(i + 10 * s)), [16, 16]);
      let x = mul(w, c);
      // every product is its own kernel (a sum reads it), each 256 elements written out
      const parts: Tensor[] = [];
      for (let k = 0; k < 60; k++) {
        x = tanh(add(mul(x, 1 + k / 100), c));
        parts.push(sum(mul(x, x), [0]));
      }
      return planOf([w], [parts.reduce((a, b) => add(a, b))]);
    });
    const w = Float64Array.from({ length: 512 }, (_, i) => Math.cos(i));
    const stacked = new StackedPlan(plans, [{ data: w, shared: false }]);
    expect(stacked.sources[0]!.length).toBeLessThan(MAX_SOURCE + 20_000);
    expect(stacked.called).toBeGreaterThan(0);
    expect(stacked.inlined).toBeGreaterThan(0);
    stacked.execute();
    plans.forEach((plan, s) => {
      const [out] = plan.run([w.subarray(s * 256, (s + 1) * 256)]);
      expect(bits(stacked.outputs[0]!.subarray(s * 16, (s + 1) * 16))).toEqual(bits(out!.data));
    });
  });

  it('refuses stacked inputs of the wrong length', () => {
    const { inputs, outputs } = program([], 2, 2, new Float64Array(4));
    const plan = planOf(inputs, outputs);
    expect(() => new StackedPlan([plan, plan], [{ data: new Float64Array(4), shared: false }, { data: new Float64Array(2), shared: true }]))
      .toThrow(/stacked input 0 has 4 values, expected 8/);
  });
});
