// `descent check MODEL`: compile, print shapes, and compare the gradient with finite differences.
import { Random } from '@descent/autodiff';
import type { Program } from '@descent/dsl';
import { EXIT } from '../errors.js';
import { fmt, fmtExact } from '../format.js';
import type { CommandArgs, Io } from '../io.js';
import { configFromFlags, optimizerText, setup } from '../setup.js';
import { jsonReplacer } from './run.js';

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
export function gradientCheck(program: Program): GradCheck[] {
  const sign = program.settings.objective === 'minimize' ? 1 : -1;
  const base = program.evaluate();
  const f0 = base.objective;
  const grads = base.grads.map((g) => Float64Array.from(g));
  const rng = new Random('descent-check');
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

export async function checkCommand(a: CommandArgs, io: Io): Promise<number> {
  const config = configFromFlags(a.positionals[0]!, a.flags, 'check');
  const s = setup(config, 'check');
  const program = s.program;
  program.initialize();
  const { objective, grads } = program.evaluate();
  const finiteLoss = Number.isFinite(objective);
  const badGrad = grads.findIndex((g) => g.some((x) => !Number.isFinite(x)));
  const checks = finiteLoss && badGrad < 0 ? gradientCheck(program) : [];
  const problems: string[] = [];
  if (!finiteLoss) problems.push(`the objective at the initial point is ${fmt(objective)}`);
  if (badGrad >= 0) problems.push(`the gradient of ${program.paramInfo.filter((p) => !p.updated)[badGrad]!.name} at the initial point is not finite`);
  for (const c of checks) if (!c.ok) problems.push(`the gradient of ${c.param} disagrees with finite differences (relative error ${fmt(c.relError, 2)} > ${fmtExact(GRAD_TOLERANCE)})`);
  const ok = problems.length === 0;
  if (a.flags.json) {
    const json = {
      ok,
      model: s.model.name,
      file: s.model.file,
      parameterCount: program.parameterCount,
      params: program.paramInfo.map((p) => ({ name: p.name, shape: p.shape, size: p.size, updated: p.updated })),
      metrics: program.metricInfo.map((m) => ({ name: m.name, shape: m.shape })),
      objective: { sense: program.settings.objective, initial: objective },
      gradientCheck: checks,
      problems,
    };
    io.stdout(`${JSON.stringify(json, jsonReplacer, 2)}\n`);
  } else {
    const lines = [`${s.model.name} (${s.model.file})`, ...program.describe().split('\n').map((l) => `  ${l}`)];
    lines.push(`  ${program.settings.objective} from ${fmt(objective, 6)} with ${optimizerText(s.optimizer)} for ${s.steps} steps, seed ${s.seed}`);
    if (program.claims.length > 0) lines.push(`  ${program.claims.length} claim${program.claims.length === 1 ? '' : 's'}: ${program.claims.map((c) => c.text).join('; ')}`);
    if (checks.length > 0) {
      lines.push(`gradient check at the initial point (central differences along a random direction, Richardson; OK when relative error ≤ ${fmtExact(GRAD_TOLERANCE)}):`);
      const w = Math.max(...checks.map((c) => c.param.length));
      for (const c of checks) {
        lines.push(`  ${c.ok ? 'OK  ' : 'FAIL'}  ${c.param.padEnd(w)}  gradient ${fmt(c.analytic, 10)}  differences ${fmt(c.numeric, 10)}  relative error ${fmt(c.relError, 2)}`);
      }
    }
    for (const p of problems) lines.push(`problem: ${p}`);
    lines.push(ok ? 'all is well' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return ok ? EXIT.ok : EXIT.failed;
}
