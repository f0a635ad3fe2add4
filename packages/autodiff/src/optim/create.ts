// The flat optimizer of a spec: in-place steps over a list of Float64Array parameters.
import { adam } from './adam.js';
import { flow } from './flow.js';
import { gd } from './gd.js';
import { momentum } from './momentum.js';
import type { Optimizer, OptimizerSpec } from './types.js';

/**
 * Creates the optimizer for parameters of the given lengths; all its buffers are allocated here.
 * @example
 *   const opt = createOptimizer({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, [w.length]);
 *   opt.step([w], (p, out) => gradient(p[0]!, out[0]!));
 */
export function createFlat(spec: OptimizerSpec, sizes: readonly number[]): Optimizer {
  switch (spec.kind) {
    case 'gd':
      return gd(spec.lr, sizes);
    case 'momentum':
      return momentum(spec.lr, spec.beta, sizes);
    case 'adam':
      return adam(spec.lr, spec.beta1, spec.beta2, spec.eps, sizes);
    case 'flow':
      return flow(spec.dt, sizes, spec.rtol, spec.atol);
  }
}
