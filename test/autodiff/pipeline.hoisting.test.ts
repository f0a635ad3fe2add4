// Kernels that read constants only (large constants deferred to the plan, and what is computed
// from them) run on a plan's first execution only, and their results keep their buffers.
import { describe, expect, it } from 'vitest';
import {
  add, compile, constant, DEFERRED_CONSTANT_ELEMENTS, matmul, mul, placeholder, planOf, Random, relu, sub, sum,
  withDeferredConstants, type Tensor,
} from '@descent/autodiff';
import { compileSource } from '@descent/dsl';

/** A constant with more elements than are computed while tracing, so that the plan computes what is built from it. */
function bigConstant(seed: number): Tensor {
  const rows = Math.ceil((DEFERRED_CONSTANT_ELEMENTS + 1) / 8);
  return constant(new Random(seed).randn([rows * 8]).data, [rows, 8]);
}

describe('hoisting constant-only kernels', () => {
  it('runs them once: the results match eager evaluation on every run, with a new input each time', () => {
    const z = bigConstant(1);
    const w = placeholder([8, 3], 'w');
    // x = 2z + 1 and the teacher's output relu(x · v) depend on constants only; the student's on w
    const v = constant(Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0]), [8, 1]);
    const outputs = withDeferredConstants(true, () => {
      const x = add(mul(z, 2), 1);
      const teacher = sum(relu(matmul(x, v)), [1]);
      const student = sum(relu(matmul(x, w)), [1]);
      return [sum(mul(sub(student, teacher), sub(student, teacher)))];
    });
    const plan = planOf([w], outputs);
    expect(plan.stats.hoisted).toBeGreaterThanOrEqual(2); // 2z + 1 and x · v at least
    const rng = new Random(2);
    for (let run = 0; run < 3; run++) {
      const wv = rng.randn([8, 3]);
      const got = plan.run([wv])[0]!.item();
      // eager: the same expression on values
      const x = add(mul(constant(z.data, z.shape), 2), 1);
      const teacher = sum(relu(matmul(x, v)), [1]);
      const student = sum(relu(matmul(x, wv)), [1]);
      const want = sum(mul(sub(student, teacher), sub(student, teacher))).item();
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
    }
  });

  it('reads the constants on the first run only (a constant changed afterwards is not seen)', () => {
    const z = bigConstant(3);
    const w = placeholder([1], 'w');
    const v = constant(new Float64Array(8).fill(1), [8, 1]);
    // (2z + 1) · v reads constants only; the elementwise product with w reads an input
    const outputs = withDeferredConstants(true, () => [sum(mul(matmul(add(mul(z, 2), 1), v), w))]);
    const plan = planOf([w], outputs);
    const ones = new Float64Array(1).fill(1);
    const first = plan.run([ones])[0]!.item();
    z.data.fill(0);
    expect(plan.run([ones])[0]!.item()).toBe(first);
  });

  it('leaves plans whose kernels all read an input as they were', () => {
    const plan = compile((x: Tensor) => sum(mul(x, x)), [[10]]);
    expect(plan.stats.hoisted).toBe(0);
  });

  it('a .loss program with fixed samples computes the samples and the teacher once', () => {
    const source = [
      'dim d = 100',
      'dim n = 2',
      'dim N = 20000',
      'let v[d] = onehot(d, 0)',
      'param W[n, d] ~ normal(0, 1 / sqrt(d))',
      'sample x[d] ~ normal(0, 1)',
      'expect samples(N)',
      'loss = 0.5 * E[(sum_i relu(dot(W[i], x)) - relu(dot(v, x)))^2]',
      'optimizer gd(lr = 0.01)',
    ].join('\n');
    const compiled = compileSource(source, { seed: 0 });
    if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
    const { program } = compiled;
    expect(program.describe()).toMatch(/plan: \d+ kernels \(\d+ run once: they read constants only\)/);
    program.initialize();
    const a = program.evaluate().objective;
    expect(program.evaluate().objective).toBe(a);
  });
});
