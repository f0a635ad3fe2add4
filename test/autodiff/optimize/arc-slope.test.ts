// The arc-slope pass: an arc-cosine kernel whose gradient is taken reads its value off the slope
// (π − acos c) that the gradient computes, so the plan takes one acos per cosine, and every value
// and gradient is bit-identical to the plan without the pass.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ARRAY_MIN } from '../../../packages/autodiff/src/optimize/arc-slope.js';
import { kernelBackend, kernelBackends, setKernelBackend } from '../../../packages/autodiff/src/kernels/registry.js';
import {
  arcKernel, arcSlope, backward, clamp, div, matmul, maximum, mul, norm, OPTIONAL_PASSES, placeholder, planOf, reshape, sum, transpose,
  type PlanOptions, type Tensor,
} from '@descent/autodiff';

/** The Gram form of sum_{i,j} relu_kernel(w_i, w_j) (as the language lowers it) and its gradient. */
function gram(n: number, d: number): { inputs: Tensor[]; outputs: Tensor[] } {
  const w = placeholder([n, d], 'w');
  const nrm = norm(w, [1]);
  const nn = mul(reshape(nrm, [n, 1]), reshape(nrm, [1, n]));
  const c = clamp(div(matmul(w, transpose(w)), maximum(nn, 1e-300)), -1, 1);
  const loss = sum(mul(nn, mul(arcKernel(c), 1 / (2 * Math.PI))));
  return { inputs: [w], outputs: [loss, ...backward(loss, [w])] };
}

const withoutArcSlope: PlanOptions = { passes: OPTIONAL_PASSES.filter((p) => p !== 'arc-slope') };
const acosLoops = (dump: string): number => dump.split('\n').filter((line) => line.includes('lib.acos') || line.includes('lib.arcKernel')).length;

describe('arc-slope pass', () => {
  it('computes each cosine\'s acos once for the value and the gradient (one loop, not two)', () => {
    const { inputs, outputs } = gram(6, 4);
    expect(acosLoops(planOf(inputs, outputs, withoutArcSlope).dump())).toBe(2);
    const dump = planOf(inputs, outputs).dump();
    expect(acosLoops(dump)).toBe(1);
    expect(dump).not.toContain('lib.arcKernel');
  });

  it('leaves a plan without the gradient as it was (no slope to read the value off)', () => {
    const { inputs, outputs } = gram(5, 3);
    const dump = planOf(inputs, [outputs[0]!]).dump();
    expect(dump).toContain('lib.arcKernel');
    expect(acosLoops(dump)).toBe(1);
  });

  it('gives bit-identical values and gradients, parallel and opposite rows included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, d, seed) => {
        const { inputs, outputs } = gram(n, d);
        let s = seed;
        const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
        const w = Float64Array.from({ length: n * d }, next);
        // row 1 parallel to row 0, row 2 opposite to it (cosines exactly ±1 up to rounding)
        if (n > 1) for (let k = 0; k < d; k++) w[d + k] = 2 * w[k]!;
        if (n > 2) for (let k = 0; k < d; k++) w[2 * d + k] = -w[k]!;
        const on = planOf(inputs, outputs).run([w]).map((t) => Array.from(t.data));
        const off = planOf(inputs, outputs, withoutArcSlope).run([w]).map((t) => Array.from(t.data));
        expect(on).toEqual(off);
        expect(on.flat().every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  describe('large cosine matrices', () => {
    const initial = kernelBackend('arcClamped');
    afterEach(() => setKernelBackend('arcClamped', initial));
    const n = Math.ceil(Math.sqrt(ARRAY_MIN)) + 1; // n² cosines, just over ARRAY_MIN
    const w = Float64Array.from({ length: n * 3 }, (_, i) => Math.sin(1 + i * 0.7));
    for (let k = 0; k < 3; k++) w[3 + k] = 2 * w[k]!; // a parallel pair: cosine ±1 up to rounding

    it.each(kernelBackends('arcClamped'))('with the %s kernel selected, compute the masked slope and the value off it in one kernel call each there (else fused loops), bit-identical', (backend) => {
      setKernelBackend('arcClamped', backend);
      const { inputs, outputs } = gram(n, 3);
      const dump = planOf(inputs, outputs).dump();
      // the gradient through the clamp takes the slope with its masks: one masked slope, and the value read off it
      expect(dump.includes('arcSlopeMasked')).toBe(backend === 'native');
      expect(dump.includes('arcKernelFromMasked')).toBe(backend === 'native');
      expect(dump).not.toContain('arcSlopeClamped');
      expect(acosLoops(dump)).toBe(backend === 'native' ? 0 : 1);
      // no loop over the n² cosines compares them with ±1 any more: the masks are in the kernel
      if (backend === 'native') expect(dump.split('\n').filter((l) => l.includes(`[${n}, ${n}] {`) && l.includes('(+('))).toEqual([]);
      const on = planOf(inputs, outputs).run([w]).map((t) => Array.from(t.data));
      const off = planOf(inputs, outputs, withoutArcSlope).run([w]).map((t) => Array.from(t.data));
      expect(on).toEqual(off);
    });

    it.each(kernelBackends('arcClamped'))('with the %s kernel selected, compute a slope read without the masks and the value in one kernel call each, bit-identical', (backend) => {
      setKernelBackend('arcClamped', backend);
      const x = placeholder([n, n], 'x');
      const c = clamp(x, -1, 1);
      const outputs = [sum(arcKernel(c)), mul(arcSlope(c), 3)]; // the slope used as it is, not through the clamp
      const dump = planOf([x], outputs).dump();
      expect(dump.includes('arcSlopeClamped')).toBe(backend === 'native');
      expect(dump.includes('arcKernelClamped')).toBe(backend === 'native');
      expect(dump).not.toContain('arcSlopeMasked');
      const values = [Float64Array.from({ length: n * n }, (_, i) => 1.2 * Math.sin(i))];
      expect(planOf([x], outputs).run(values).map((t) => Array.from(t.data))).toEqual(planOf([x], outputs, withoutArcSlope).run(values).map((t) => Array.from(t.data)));
    });

    it('leave small matrices to the fused loop', () => {
      const { inputs, outputs } = gram(8, 3);
      const dump = planOf(inputs, outputs).dump();
      expect(dump).not.toContain('arcSlopeClamped');
      expect(dump).not.toContain('arcSlopeMasked');
    });
  });
});
