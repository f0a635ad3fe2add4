// Heavy-ball momentum: v ← β v + ∇f(θ), θ ← θ − lr v.
import {
  buffersLike, checkCompatible, checkSizes, decodeF64Into, encodeF64, finiteScalar, hyperOf, scheduledHyper, scalarOf,
} from './serial.js';
import { requireArg } from './table.js';
import { OptimizerError, type GradientFn, type Optimizer, type OptimizerSpec, type OptimizerState } from './types.js';

/**
 * Polyak's heavy ball. With v₀ = 0 the update equals θₖ₊₁ = θₖ − lr ∇f(θₖ) + β (θₖ − θₖ₋₁),
 * the form in the literature; the velocity form is the one PyTorch's SGD(momentum) uses.
 */
export function momentum(lr: number, beta: number, sizes: readonly number[]): Optimizer {
  requireArg('momentum', 'lr', lr);
  requireArg('momentum', 'beta', beta);
  const spec: OptimizerSpec = { kind: 'momentum', lr, beta };
  const g = buffersLike(sizes);
  const v = buffersLike(sizes);
  let steps = 0;
  return {
    kind: 'momentum',
    spec,
    get steps() {
      return steps;
    },
    step(params: readonly Float64Array[], grad: GradientFn): void {
      checkSizes('momentum', params, sizes);
      grad(params, g);
      for (let p = 0; p < params.length; p++) {
        const x = params[p]!;
        const gp = g[p]!;
        const vp = v[p]!;
        for (let i = 0; i < x.length; i++) {
          const vi = beta * vp[i]! + gp[i]!;
          vp[i] = vi;
          x[i] = x[i]! - lr * vi;
        }
      }
      steps++;
    },
    setHyper(values: Readonly<Record<string, number>>): void {
      lr = scheduledHyper('momentum', 'lr', values, lr);
      beta = scheduledHyper('momentum', 'beta', values, beta);
    },
    state(): OptimizerState {
      return {
        kind: 'momentum',
        hyper: hyperOf(spec),
        sizes: [...sizes],
        scalars: { steps: finiteScalar('steps', steps) },
        buffers: { velocity: v.map(encodeF64) },
      };
    },
    restore(state: OptimizerState): void {
      checkCompatible(state, spec, sizes);
      const saved = state.buffers['velocity'];
      if (!saved || saved.length !== sizes.length) throw new OptimizerError('momentum: saved state lacks the velocity');
      steps = scalarOf(state, 'steps');
      saved.forEach((b, p) => decodeF64Into(b, v[p]!, `momentum velocity ${p}`));
    },
  };
}
