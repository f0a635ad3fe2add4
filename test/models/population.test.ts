// packages/models/scripts/population.mjs: the score-matching population loss that docs/reproductions.md
// computes from logged means, checked against exact values and against descent's own quadrature.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics } from '@descent/dsl';
import { gaussHermite, populationLoss, populationStats } from '../../packages/models/scripts/population.mjs';

/** E f(X), X ~ N(0, 1), by Simpson's rule on [−12, 12]: an independent 1-D reference. */
function simpson(f: (x: number) => number, n = 24000): number {
  const h = 24 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const x = -12 + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * f(x) * Math.exp(-0.5 * x * x);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

describe('population.mjs', () => {
  it('Gauss–Hermite nodes integrate the N(0, 1) moments exactly', () => {
    const { x, w } = gaussHermite(10);
    const moment = (k: number): number => x.reduce((s: number, v: number, i: number) => s + w[i]! * v ** k, 0);
    expect(moment(0)).toBeCloseTo(1, 12);
    expect(moment(2)).toBeCloseTo(1, 12);
    expect(moment(4)).toBeCloseTo(3, 11);
    expect(moment(18)).toBeCloseTo(34459425, 0); // 17!! = E X^18, degree 18 <= 2*10 - 1
  });

  it('tied means give |c|^2, and two opposite means a² E tanh²(a x₁)', () => {
    expect(populationLoss([[1, 2, 0.5], [1, 2, 0.5], [1, 2, 0.5]])).toBeCloseTo(5.25, 12);
    for (const a of [0.3, 2, 6]) {
      // v(x) = tanh(a x₁) a e₁ for means ±a e₁
      const exact = simpson((t) => a * a * Math.tanh(a * t) ** 2);
      expect(Math.abs(populationLoss([[a, 0, 0], [-a, 0, 0]]) - exact) / exact).toBeLessThan(1e-9);
    }
  });

  it('the far means’ responsibility is the Gaussian mass on their side', () => {
    // two means at 0 and 8 e1: the far one wins beyond x₁ = 4
    const { far } = populationStats([[0, 0, 0], [8, 0, 0]]);
    expect(Math.abs(far - simpson((t) => 1 / (1 + Math.exp(-(8 * t - 32)))))).toBeLessThan(1e-12);
  });

  it('matches descent’s Gauss–Hermite quadrature where that resolves the integrand (means near the truth)', () => {
    const file = fileURLToPath(new URL('../../packages/models/score-matching-near.loss', import.meta.url));
    const source = readFileSync(file, 'utf8');
    const r = compileSource(source, { file, expect: { quadrature: 40 } });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
    const mu = [[0.3, -0.2, 0.1], [-0.4, 0.1, 0.2], [0.1, 0.5, -0.3], [0.2, 0.0, 0.4], [-0.1, -0.3, -0.2]];
    r.program.params[0]!.set(mu.flat());
    const descent = r.program.evaluate().objective;
    expect(Math.abs(populationLoss(mu) - descent) / descent).toBeLessThan(1e-8);
  });
});
