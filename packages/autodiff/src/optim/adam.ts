// Adam with bias correction (Kingma & Ba 2015, Algorithm 1).
import {
  buffersLike, checkCompatible, checkSizes, decodeF64Into, encodeF64, finiteScalar, hyperOf, scheduledHyper, scalarOf,
} from './serial.js';
import { requireArg } from './table.js';
import { OptimizerError, type GradientFn, type Optimizer, type OptimizerSpec, type OptimizerState } from './types.js';

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
  const spec: OptimizerSpec = { kind: 'adam', lr, beta1, beta2, eps };
  const g = buffersLike(sizes);
  const m = buffersLike(sizes);
  const v = buffersLike(sizes);
  let steps = 0;
  return {
    kind: 'adam',
    spec,
    get steps() {
      return steps;
    },
    step(params: readonly Float64Array[], grad: GradientFn): void {
      checkSizes('adam', params, sizes);
      grad(params, g);
      const t = steps + 1;
      const c1 = 1 - Math.pow(beta1, t);
      const c2 = 1 - Math.pow(beta2, t);
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        const mp = m[p]!;
        const vp = v[p]!;
        for (let i = 0; i < x.length; i++) {
          const gi = gp[i]!;
          const mi = beta1 * mp[i]! + (1 - beta1) * gi;
          const vi = beta2 * vp[i]! + (1 - beta2) * gi * gi;
          mp[i] = mi;
          vp[i] = vi;
          x[i] = x[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
        }
      }
      steps = t;
    },
    setHyper(values: Readonly<Record<string, number>>): void {
      lr = scheduledHyper('adam', 'lr', values, lr);
      beta1 = scheduledHyper('adam', 'beta1', values, beta1);
      beta2 = scheduledHyper('adam', 'beta2', values, beta2);
      eps = scheduledHyper('adam', 'eps', values, eps);
    },
    state(): OptimizerState {
      return {
        kind: 'adam',
        hyper: hyperOf(spec),
        sizes: [...sizes],
        scalars: { steps: finiteScalar('steps', steps) },
        buffers: { m: m.map(encodeF64), v: v.map(encodeF64) },
      };
    },
    restore(state: OptimizerState): void {
      checkCompatible(state, spec, sizes);
      const sm = state.buffers['m'];
      const sv = state.buffers['v'];
      if (!sm || !sv || sm.length !== sizes.length || sv.length !== sizes.length) {
        throw new OptimizerError('adam: saved state lacks the moment estimates m and v');
      }
      steps = scalarOf(state, 'steps');
      sm.forEach((b, p) => decodeF64Into(b, m[p]!, `adam m ${p}`));
      sv.forEach((b, p) => decodeF64Into(b, v[p]!, `adam v ${p}`));
    },
  };
}
