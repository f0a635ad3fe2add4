// The trace apply() follows: eager evaluation outside any, deferral and sharing only inside one installed on purpose.
import { describe, expect, it } from 'vitest';
import {
  constant, currentTrace, DEFERRED_CONSTANT_ELEMENTS, EAGER, exp, scalar, withDeferredConstants, withSharedNodes, withTrace,
} from '@descent/autodiff';

describe('trace', () => {
  it('is EAGER outside any trace, and a large constant result is computed at once', () => {
    expect(currentTrace()).toBe(EAGER);
    const big = exp(constant(new Float64Array(DEFERRED_CONSTANT_ELEMENTS + 1), [DEFERRED_CONSTANT_ELEMENTS + 1]));
    expect(big.symbolic).toBe(false);
    expect(big.data[0]).toBe(1);
  });

  it('defers only what the installed trace says, with the same value once computed', () => {
    const n = 8;
    const small = constant(new Float64Array(n).fill(2), [n]);
    const deferred = withTrace({ deferConstantsOver: 4, shared: undefined, simplify: false }, () => exp(small));
    expect(deferred.symbolic).toBe(true);
    expect(deferred.inputs).toEqual([small]);
    const kept = withTrace({ deferConstantsOver: n, shared: undefined, simplify: false }, () => exp(small));
    expect(kept.symbolic).toBe(false);
    expect(kept.data[0]).toBeCloseTo(Math.exp(2), 15);
    expect(currentTrace()).toBe(EAGER);
  });

  it('restores the trace before, also when the body throws', () => {
    expect(() => withDeferredConstants(true, () => withSharedNodes(() => {
      expect(currentTrace().deferConstantsOver).toBe(DEFERRED_CONSTANT_ELEMENTS);
      expect(currentTrace().shared).toBeInstanceOf(Map);
      expect(currentTrace().simplify).toBe(false);
      throw new Error('inside');
    }))).toThrow('inside');
    expect(currentTrace()).toBe(EAGER);
    expect(scalar(1).symbolic).toBe(false);
  });
});
