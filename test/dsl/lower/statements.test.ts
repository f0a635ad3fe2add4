// Every LANGUAGE.md example compiles; the compiled gradient matches central differences.
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { compileSource, formatDiagnostics, gradientCheck, type Program } from '@descent/dsl';
import { builtinNames, loweredBuiltins } from '../../../packages/dsl/src/lower/builtins.js';
import { claimsExample, wholeExamples } from '../examples.js';

function compileOk(source: string, options: Parameters<typeof compileSource>[1] = {}): Program {
  const r = compileSource(source, { file: 'example.loss', ...options });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

/** The worst relative gradient error (per parameter, against central differences) at a random point. */
function gradientError(p: Program, seed: number, scale: number): number {
  const rng = new Random(seed);
  p.initialize();
  p.params.forEach((x) => {
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + scale * rng.normal();
  });
  return Math.max(...gradientCheck(p, seed).map((c) => c.relError));
}

describe('built-in functions', () => {
  it('every built-in is lowered as a call but load (the whole value of a let)', () => {
    expect(loweredBuiltins()).toEqual(builtinNames().filter((n) => n !== 'load'));
  });
});

describe('LANGUAGE.md examples', () => {
  for (const { name, source } of wholeExamples()) {
    it(`${name} compiles and its gradient matches central differences (sampling fixed)`, () => {
      const p = compileOk(source, { expect: { fresh: false } });
      expect(p.paramInfo.length).toBeGreaterThan(0);
      for (const seed of [1, 2]) expect(gradientError(p, seed, 0.3)).toBeLessThan(1e-6);
    });
  }

  it('the section 6 claims compile with the score-matching example', () => {
    const score = wholeExamples().find((e) => e.name === 'score-matching')!;
    const p = compileOk(`${score.source}\n${claimsExample()}`);
    expect(p.claims.map((c) => c.fn)).toEqual(['slope', 'rate', 'final', 'final', 'min']);
  });
});

describe('statements', () => {
  it('update p[i] binds its index like a metric and replaces the param', () => {
    const src = [
      'dim n = 3', 'param p[n] = 1 / n', 'param w[n] ~ normal(0, 1)',
      'loss = sum_i w[i]^2', 'update p[i] = softmax_i(w[i])',
    ].join('\n');
    const p = compileOk(src);
    p.initialize();
    const { updates } = p.evaluate();
    const w = Array.from(p.params[1]!);
    const e = w.map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    expect(Array.from(updates[0]!)).toEqual(e.map((x) => expect.closeTo(x / z, 14)));
    expect(p.paramInfo.map((i) => i.updated)).toEqual([true, false]);
  });

  it('a metric may use the objective by its name, loss', () => {
    const p = compileOk('dim d = 2\nparam w[d] = [1, 2]\nloss = |w|^2\nmetric half = loss / 2');
    p.initialize();
    expect(p.metrics()).toEqual({ half: 2.5 });
  });

  it('--fresh alone leaves a quadrature file on quadrature', () => {
    const src = 'dim d = 1\nparam m[d] = [1]\nsample x[d] ~ normal(0, 1)\nexpect quadrature(5)\nloss = E[|x - m|^2]';
    const p = compileOk(src, { expect: { fresh: false } });
    expect(p.settings.expect).toEqual({ kind: 'quadrature', nodes: 5 });
    p.initialize();
    expect(p.evaluate().objective).toBeCloseTo(2, 14); // E|x - 1|^2 = 1 + 1, exactly by quadrature
  });
});

describe('shape errors name the shapes the language sees', () => {
  it('a broadcast mismatch names both operands with their indices, at the operator', () => {
    const src = 'dim d = 3\ndim n = 4\nparam mu[n, d] ~ normal(0, 1)\nparam b[2] ~ normal(0, 1)\nloss = sum_i |mu[i] + b|^2';
    const r = compileSource(src, { file: 'm.loss' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(formatDiagnostics(r.diagnostics, src)).toBe(
        ['m.loss:5:15: error: shape mismatch in `+`: [3] over i and [2] do not broadcast', 'loss = sum_i |mu[i] + b|^2', '              ^~~~~~~~~'].join('\n'),
      );
    }
  });
});
