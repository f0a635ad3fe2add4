// Heavy-ball momentum: v ← β v + ∇f(θ), θ ← θ − lr v.
import { outlinedOptimizer } from './outline.js';
import { buffersLike } from './serial.js';
import { requireArg } from './table.js';
import type { Optimizer } from './types.js';

/**
 * Polyak's heavy ball. With v₀ = 0 the update equals θₖ₊₁ = θₖ − lr ∇f(θₖ) + β (θₖ − θₖ₋₁),
 * the form in the literature; the velocity form is the one PyTorch's SGD(momentum) uses.
 */
export function momentum(lr: number, beta: number, sizes: readonly number[]): Optimizer {
  requireArg('momentum', 'lr', lr);
  requireArg('momentum', 'beta', beta);
  const g = buffersLike(sizes);
  const v = buffersLike(sizes);
  return outlinedOptimizer({
    spec: { kind: 'momentum', lr, beta },
    sizes,
    scheduled: ['lr', 'beta'],
    buffers: { velocity: v },
    lacks: 'saved state lacks the velocity',
    advance(params, grad, hyper) {
      grad(params, g);
      const rate = hyper['lr']!;
      const b = hyper['beta']!;
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        const vp = v[p]!;
        for (let i = 0; i < x.length; i++) {
          const vi = b * vp[i]! + gp[i]!;
          vp[i] = vi;
          x[i] = x[i]! - rate * vi;
        }
      }
    },
  });
}
