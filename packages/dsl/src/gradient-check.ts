// Gradient check of a compiled program: its gradient against central finite differences.
import { Random } from '@descent/autodiff';
import type { Program } from './program.js';

/** Euclidean norm (no spread: parameters can be large). */
function norm2(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Relative error at or below which a directional derivative agrees. */
export const GRAD_TOLERANCE = 1e-6;

/** The check of one parameter's gradient along one random direction. */
export interface GradCheck {
  readonly param: string;
  /** Directional derivative of the objective as written, from the compiled gradient. */
  readonly analytic: number;
  /** The same from central differences with one Richardson step. */
  readonly numeric: number;
  readonly relError: number;
  /** The finite-difference step that agreed best. */
  readonly h: number;
  readonly ok: boolean;
  /** The unit direction (flat, row-major), for parameters of up to 10,000 values. */
  readonly direction?: readonly number[];
}

/**
 * Compares each descended parameter's gradient with finite differences at the current point:
 * along a random unit direction u (seeded, so the check is reproducible), the derivative of the
 * objective is g·u, and numerically D(h) = (f(θ+hu) − f(θ−hu)) / 2h, improved by Richardson to
 * (4·D(h/2) − D(h)) / 3, whose error is O(h⁴). Steps h = 10⁻¹…10⁻⁵ times the parameter's norm are
 * tried and the best agreement kept (large h has truncation error, small h rounding error).
 * The relative error has a floor of 1e-8·|f|/scale, so a gradient that is zero within rounding passes.
 */
export function gradientCheck(program: Program, seed: number | string = 'descent-check'): GradCheck[] {
  const sign = program.settings.objective === 'minimize' ? 1 : -1;
  const base = program.evaluate();
  const f0 = base.objective;
  const grads = base.grads.map((g) => Float64Array.from(g));
  const rng = new Random(seed);
  const out: GradCheck[] = [];
  let k = 0;
  program.paramInfo.forEach((p, i) => {
    if (p.updated) return;
    const theta = program.params[i]!;
    const saved = Float64Array.from(theta);
    const u = new Float64Array(p.size);
    rng.fillNormal(u);
    const un = norm2(u) || 1;
    for (let j = 0; j < u.length; j++) u[j]! /= un;
    const g = grads[k++]!;
    let analytic = 0;
    for (let j = 0; j < u.length; j++) analytic += g[j]! * u[j]!;
    analytic *= sign;
    const scale = Math.max(norm2(saved), 1e-3);
    const at = (h: number): number => {
      for (let j = 0; j < theta.length; j++) theta[j] = saved[j]! + h * u[j]!;
      return program.evaluate().objective;
    };
    const central = (h: number): number => (at(h) - at(-h)) / (2 * h);
    const floor = (1e-8 * Math.abs(f0)) / scale;
    let best: GradCheck | null = null;
    for (const c of [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]) {
      const h = c * scale;
      const numeric = (4 * central(h / 2) - central(h)) / 3;
      const denom = Math.max(Math.abs(numeric), Math.abs(analytic), floor);
      const relError = denom === 0 ? 0 : Math.abs(numeric - analytic) / denom;
      const cand: GradCheck = { param: p.name, analytic, numeric, relError: Number.isNaN(relError) ? Infinity : relError, h, ok: relError <= GRAD_TOLERANCE };
      if (!best || cand.relError < best.relError) best = cand;
    }
    theta.set(saved);
    out.push(p.size <= 10_000 ? { ...best!, direction: Array.from(u) } : best!);
  });
  program.evaluate(); // leave the plan's outputs at the unperturbed point
  return out;
}
