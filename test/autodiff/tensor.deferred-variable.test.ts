// A differentiation variable over a constant deferred to the plan (withDeferredConstants), as
// `grad(logp(x), x)` in a .loss file makes for a large sampled x: it has no value while tracing.
import { describe, expect, it } from 'vitest';
import {
  backward, constant, DEFERRED_CONSTANT_ELEMENTS, mul, planOf, sum, variable, withDeferredConstants,
} from '@descent/autodiff';

describe('variable of a deferred constant', () => {
  it('is a tracked identity the plan computes, and the gradient stops there', () => {
    const n = DEFERRED_CONSTANT_ELEMENTS + 7;
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const g = withDeferredConstants(true, () => {
      const c = mul(constant(data, [n]), 3); // deferred: too big to compute while tracing
      expect(c.symbolic).toBe(true);
      const v = variable(c);
      expect(v.tracked).toBe(true);
      return backward(sum(mul(v, v)), [v])[0]!;
    });
    const [out] = planOf([], [g]).run([]);
    for (const i of [0, 1, n - 1]) expect(out!.data[i]).toBeCloseTo(6 * data[i]!, 12);
  });
});
