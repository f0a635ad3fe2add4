// Gradient flow θ' = −∇f(θ), integrated by Dormand–Prince 5(4) with error control.
import { outlinedOptimizer } from './outline.js';
import { buffersLike, requireHyper } from './serial.js';
import { requireArg } from './table.js';
import { OptimizerError, type Optimizer, type OptimizerSpec } from './types.js';

// Dormand & Prince (1980), the tableau of MATLAB's ode45 / scipy's RK45. Row s holds a[s][i] for
// the stage points θ + h Σ a[s][i] kᵢ; A[6] is also the 5th-order solution (FSAL: stage 7 is
// evaluated at the new point, so within one step it is the next substep's first stage).
const A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
// E = b(5th) − b*(4th): the embedded error estimate h Σ Eᵢ kᵢ.
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 5;
const MAX_SUBSTEPS = 100_000;

/**
 * Gradient flow. One `step` advances flow time by `dt` exactly, taking as many adaptive substeps as
 * the error control needs: a substep is accepted when the RMS over all coordinates of
 * err / (atol + rtol · max(|θ|, |θ_new|)) is ≤ 1, and the next substep is scaled by
 * 0.9 · err^(−1/5) within [0.2, 5]. The substep size carries over between steps (it is part of
 * the saved state). The first stage is re-evaluated at the start of every step, because the caller
 * may change the parameters between steps (an `update` statement does).
 * A non-finite gradient shrinks the substep; if it stays non-finite down to 1e-12·dt the step is
 * taken anyway, so the parameters turn non-finite and the caller's divergence check names them.
 */
export function flow(dt: number, sizes: readonly number[], rtol = 1e-9, atol = 1e-12): Optimizer {
  requireArg('flow', 'dt', dt);
  requireHyper('flow', 'rtol', rtol, (x) => x > 0, 'positive');
  requireHyper('flow', 'atol', atol, (x) => x >= 0, 'non-negative');
  const spec: OptimizerSpec = { kind: 'flow', dt, rtol, atol };
  // G[i] holds the gradient at stage i, so kᵢ = −G[i].
  const G = [0, 1, 2, 3, 4, 5, 6].map(() => buffersLike(sizes));
  const stage = buffersLike(sizes);
  const next = buffersLike(sizes);
  let total = 0;
  for (const n of sizes) total += n;
  let h = dt; // proposed substep
  let evaluations = 0;
  let rejected = 0;

  /** out = θ − h Σ_{i<s} a[s][i] G[i]  (i.e. θ + h Σ a kᵢ). */
  function combine(params: readonly Float64Array[], s: number, hh: number, out: Float64Array[]): void {
    const row = A[s]!;
    for (let p = 0; p < params.length; p++) {
      const x = params[p]!;
      const o = out[p]!;
      for (let j = 0; j < x.length; j++) {
        let acc = 0;
        for (let i = 0; i < row.length; i++) acc += row[i]! * G[i]![p]![j]!;
        o[j] = x[j]! - hh * acc;
      }
    }
  }

  /** The scaled RMS error of the substep θ → next of size hh. */
  function errorNorm(params: readonly Float64Array[], hh: number): number {
    let sum = 0;
    for (let p = 0; p < params.length; p++) {
      const x = params[p]!;
      const y = next[p]!;
      for (let j = 0; j < x.length; j++) {
        let e = 0;
        for (let i = 0; i < 7; i++) e += E[i]! * G[i]![p]![j]!;
        const scale = atol + rtol * Math.max(Math.abs(x[j]!), Math.abs(y[j]!));
        const r = (hh * e) / scale;
        sum += r * r;
      }
    }
    return total === 0 ? 0 : Math.sqrt(sum / total);
  }

  function accept(params: readonly Float64Array[]): void {
    for (let p = 0; p < params.length; p++) params[p]!.set(next[p]!);
    // FSAL: the gradient at the new point becomes the next substep's first stage.
    const first = G[0]!;
    G[0] = G[6]!;
    G[6] = first;
  }

  return outlinedOptimizer({
    spec,
    sizes,
    scheduled: ['dt'],
    scalars: {
      read: () => ({ h, evaluations, rejected }),
      write(saved) {
        h = saved('h');
        evaluations = saved('evaluations');
        rejected = saved('rejected');
      },
    },
    advance(params, grad, hyper, steps) {
      const dt = hyper['dt']!;
      grad(params, G[0]!);
      evaluations++;
      let s = 0; // flow time elapsed within this step, in [0, dt]
      let substeps = 0;
      while (s < dt) {
        if (++substeps > MAX_SUBSTEPS) {
          throw new OptimizerError(
            `flow: more than ${MAX_SUBSTEPS} substeps within one step of dt = ${dt} (substep ${h}); the flow is stiff here`,
          );
        }
        const last = s + h >= dt;
        const hh = last ? dt - s : h;
        for (let st = 1; st < 7; st++) {
          combine(params, st, hh, st === 6 ? next : stage);
          grad(st === 6 ? next : stage, G[st]!);
        }
        evaluations += 6;
        const err = errorNorm(params, hh);
        if (err <= 1) {
          accept(params);
          s = last ? dt : s + hh;
          const factor = err === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, SAFETY * Math.pow(err, -0.2)));
          h = last ? Math.max(h, hh * factor) : hh * factor;
        } else if (!Number.isFinite(err) && hh <= 1e-12 * dt) {
          accept(params); // let the non-finite values through for the divergence check
          s = dt;
        } else {
          rejected++;
          const factor = Number.isFinite(err) ? Math.max(MIN_FACTOR, SAFETY * Math.pow(err, -0.2)) : MIN_FACTOR;
          h = hh * Math.min(1, factor);
          if (h <= 1e-16 * dt) throw new OptimizerError(`flow: substep underflow (${h}) at step ${steps}`);
        }
      }
    },
  });
}
