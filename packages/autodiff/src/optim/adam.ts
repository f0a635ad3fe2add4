// Adam with bias correction (Kingma & Ba 2015, Algorithm 1).
import { outlinedOptimizer } from './outline.js';
import { buffersLike } from './serial.js';
import { requireArg } from './table.js';
import type { Optimizer } from './types.js';

/**
 * At step t = 1, 2, …:
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
 *   m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ),
 *   θ ← θ − lr m̂ / (√v̂ + ε).
 * βᵗ is computed with Math.pow from the step count, so a restored run matches exactly.
 */
export function adam(lr: number, beta1: number, beta2: number, eps: number, sizes: readonly number[]): Optimizer {
  requireArg('adam', 'lr', lr);
  requireArg('adam', 'beta1', beta1);
  requireArg('adam', 'beta2', beta2);
  requireArg('adam', 'eps', eps);
  const g = buffersLike(sizes);
  const m = buffersLike(sizes);
  const v = buffersLike(sizes);
  return outlinedOptimizer({
    spec: { kind: 'adam', lr, beta1, beta2, eps },
    sizes,
    scheduled: ['lr', 'beta1', 'beta2', 'eps'],
    buffers: { m, v },
    lacks: 'saved state lacks the moment estimates m and v',
    advance(params, grad, hyper, steps) {
      grad(params, g);
      const rate = hyper['lr']!;
      const b1 = hyper['beta1']!;
      const b2 = hyper['beta2']!;
      const e = hyper['eps']!;
      const t = steps + 1;
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        const mp = m[p]!;
        const vp = v[p]!;
        for (let i = 0; i < x.length; i++) {
          const gi = gp[i]!;
          const mi = b1 * mp[i]! + (1 - b1) * gi;
          const vi = b2 * vp[i]! + (1 - b2) * gi * gi;
          mp[i] = mi;
          vp[i] = vi;
          x[i] = x[i]! - (rate * (mi / c1)) / (Math.sqrt(vi / c2) + e);
        }
      }
    },
  });
}
