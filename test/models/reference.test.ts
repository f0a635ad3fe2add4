// descent against the independent numpy references of reference/*.py: the loss and gradient at
// stored initial parameters, and a gradient-descent trajectory of a few thousand steps from them.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics, type CompileOptions, type Program } from '@descent/dsl';
import { createOptimizer } from '../../packages/autodiff/src/optim/index.js';

type Nested = number | Nested[];

interface Fixture {
  readonly model: string;
  readonly settings: { readonly overrides: Record<string, number>; readonly expect: CompileOptions['expect'] | null };
  readonly lr: number;
  readonly steps: number;
  readonly init: Record<string, Nested>;
  readonly initial: { readonly loss: number; readonly grad: Record<string, Nested> };
  readonly record: readonly number[];
  readonly loss: readonly number[];
  readonly final: Record<string, Nested>;
}

const TOLERANCE = 1e-10;
/** Absolute error allowed in a loss, relative to the starting loss: ~5 ulp. */
const CANCELLATION = 1e-15;
const fixtureDir = fileURLToPath(new URL('./fixtures/reference/', import.meta.url));
const modelDir = fileURLToPath(new URL('../../packages/models/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort();

function flat(value: Nested): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value];
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
function relativeError(actual: ArrayLike<number>, reference: readonly number[]): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  reference.forEach((r, i) => {
    diff = Math.max(diff, Math.abs(actual[i]! - r));
    scale = Math.max(scale, Math.abs(r));
  });
  return diff / scale;
}

function compileWith(f: Fixture): Program {
  const file = `${modelDir}${f.model}.loss`;
  const source = readFileSync(file, 'utf8');
  const r = compileSource(source, { file, overrides: f.settings.overrides, ...(f.settings.expect ? { expect: f.settings.expect } : {}) });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  const p = r.program;
  for (const [i, info] of p.paramInfo.entries()) {
    const values = f.init[info.name];
    if (values === undefined) throw new Error(`fixture has no initial value for ${info.name}`);
    p.params[i]!.set(flat(values));
  }
  return p;
}

describe('descent against the numpy references (reference/)', () => {
  it('has a fixture for each of the four problems', () => {
    expect(fixtures).toEqual(['gradient-em.json', 'matrix-factorization.json', 'relu-neuron.json', 'score-matching.json']);
  });

  for (const name of fixtures) {
    const f = JSON.parse(readFileSync(`${fixtureDir}${name}`, 'utf8')) as Fixture;

    it(`${f.model}: loss and gradient at the stored initial point agree to ${TOLERANCE}`, () => {
      const p = compileWith(f);
      const { objective, grads } = p.evaluate();
      expect(Math.abs(objective - f.initial.loss) / Math.abs(f.initial.loss)).toBeLessThan(TOLERANCE);
      p.paramInfo.forEach((info, i) => {
        expect(relativeError(grads[i]!, flat(f.initial.grad[info.name]!)), info.name).toBeLessThan(TOLERANCE);
      });
    });

    it(`${f.model}: ${f.steps} gradient-descent steps (lr ${f.lr}) follow the reference to ${TOLERANCE}`, () => {
      const p = compileWith(f);
      const optimizer = createOptimizer({ kind: 'gd', lr: f.lr }, p.params.map((x) => x.length));
      const gradient = (_params: readonly Float64Array[], out: readonly Float64Array[]): void => {
        p.evaluate().grads.forEach((g, i) => out[i]!.set(g));
      };
      const losses: number[] = [];
      for (let t = 0; t <= f.steps; t++) {
        if (f.record.includes(t)) losses.push(p.evaluate().objective);
        if (t < f.steps) optimizer.step(p.params, gradient);
      }
      // Each loss against its own size, plus a few ulps of the starting loss: a late loss is a
      // difference of terms the size of the first one (the ReLU loss ~1e-7 is 0.5 - 0.5 + ...),
      // so its last ~1e-16 of absolute error is cancellation, the same in any float64 program.
      losses.forEach((loss, k) => {
        const bound = TOLERANCE * Math.abs(f.loss[k]!) + CANCELLATION * Math.abs(f.loss[0]!);
        expect(Math.abs(loss - f.loss[k]!), `loss at step ${f.record[k]}`).toBeLessThan(bound);
      });
      p.paramInfo.forEach((info, i) => {
        expect(relativeError(p.params[i]!, flat(f.final[info.name]!)), `final ${info.name}`).toBeLessThan(TOLERANCE);
      });
    });
  }
});
