// Plain gradient descent: θ ← θ − lr ∇f(θ).
import {
  buffersLike, checkCompatible, checkSizes, finiteScalar, hyperOf, scheduledHyper, scalarOf,
} from './serial.js';
import { requireArg } from './table.js';
import type { GradientFn, Optimizer, OptimizerSpec, OptimizerState } from './types.js';

/** Gradient descent with a fixed learning rate. */
export function gd(lr: number, sizes: readonly number[]): Optimizer {
  requireArg('gd', 'lr', lr);
  const spec: OptimizerSpec = { kind: 'gd', lr };
  const g = buffersLike(sizes);
  let steps = 0;
  return {
    kind: 'gd',
    spec,
    get steps() {
      return steps;
    },
    step(params: readonly Float64Array[], grad: GradientFn): void {
      checkSizes('gd', params, sizes);
      grad(params, g);
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        for (let i = 0; i < x.length; i++) x[i] = x[i]! - lr * gp[i]!;
      }
      steps++;
    },
    setHyper(values: Readonly<Record<string, number>>): void {
      lr = scheduledHyper('gd', 'lr', values, lr);
    },
    state(): OptimizerState {
      return { kind: 'gd', hyper: hyperOf(spec), sizes: [...sizes], scalars: { steps: finiteScalar('steps', steps) }, buffers: {} };
    },
    restore(state: OptimizerState): void {
      checkCompatible(state, spec, sizes);
      steps = scalarOf(state, 'steps');
    },
  };
}
