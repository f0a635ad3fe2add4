// Plain gradient descent: θ ← θ − lr ∇f(θ).
import { outlinedOptimizer } from './outline.js';
import { buffersLike } from './serial.js';
import { requireArg } from './table.js';
import type { Optimizer } from './types.js';

/** Gradient descent with a fixed learning rate. */
export function gd(lr: number, sizes: readonly number[]): Optimizer {
  requireArg('gd', 'lr', lr);
  const g = buffersLike(sizes);
  return outlinedOptimizer({
    spec: { kind: 'gd', lr },
    sizes,
    scheduled: ['lr'],
    advance(params, grad, hyper) {
      grad(params, g);
      const rate = hyper['lr']!;
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        for (let i = 0; i < x.length; i++) x[i] = x[i]! - rate * gp[i]!;
      }
    },
  });
}
