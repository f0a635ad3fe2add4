// The LANGUAGE.md examples against the mathematics of the papers they come from (papers.md), computed by hand.
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { compileSource, formatDiagnostics, hermiteGrid, type Program } from '@descent/dsl';
import { wholeExamples } from './examples.js';

function compiled(name: string, options: Parameters<typeof compileSource>[1] = {}): Program {
  const source = wholeExamples().find((e) => e.name === name)!.source;
  const r = compileSource(source, { file: `${name}.loss`, ...options });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

/** Softmax weights w_i = softmax_i(l_i) of logits l. */
function softmax(l: number[]): number[] {
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('score matching (papers.md section 1)', () => {
  it('the gradient of E|grad log p(x) + x|^2 (a gradient of a gradient) matches the closed form 1(b)', () => {
    // quadrature makes the expectation a fixed weighted sum the hand computation can repeat
    const K = 8;
    const p = compiled('score-matching', { expect: { quadrature: K } });
    const n = 5;
    const d = 3;
    const rng = new Random(11);
    const mu = p.params[0]!;
    for (let i = 0; i < mu.length; i++) mu[i] = rng.normal();
    const { objective, grads } = p.evaluate();
    // closed form: L = E|v|^2, grad_i = 2 E[w_i v + w_i ((mu_i - v).v)(x - mu_i)], v = sum_i w_i mu_i
    const grid = hermiteGrid(K, d);
    let loss = 0;
    const g = new Float64Array(n * d);
    for (let q = 0; q < grid.count; q++) {
      const x = Array.from(grid.points.subarray(q * d, (q + 1) * d));
      const m = (i: number): number[] => Array.from(mu.subarray(i * d, (i + 1) * d));
      const dot = (a: number[], b: number[]): number => a.reduce((s, ai, k) => s + ai * b[k]!, 0);
      const w = softmax(Array.from({ length: n }, (_, i) => dot(x, m(i)) - dot(m(i), m(i)) / 2));
      const v = Array.from({ length: d }, (_, k) => w.reduce((s, wi, i) => s + wi * m(i)[k]!, 0));
      const weight = grid.weights[q]!;
      loss += weight * dot(v, v);
      for (let i = 0; i < n; i++) {
        const c = dot(m(i).map((mk, k) => mk - v[k]!), v);
        for (let k = 0; k < d; k++) g[i * d + k] = g[i * d + k]! + 2 * weight * w[i]! * (v[k]! + c * (x[k]! - m(i)[k]!));
      }
    }
    expect(Math.abs(objective - loss) / loss).toBeLessThan(1e-12);
    expect(relErr(grads[0]!, g)).toBeLessThan(1e-10);
  });
});

describe('ReLU neuron (papers.md section 4)', () => {
  it('the closed form with relu_kernel matches a 10^6-sample Monte Carlo estimate within 3 standard errors', () => {
    const p = compiled('relu-neuron');
    const rng = new Random(5);
    const w = p.params[0]!;
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * 0.7;
    const exact = p.evaluate().objective;
    const n = 2;
    const d = 5;
    const N = 1_000_000;
    let sum = 0;
    let sumSq = 0;
    const x = new Float64Array(d);
    for (let s = 0; s < N; s++) {
      rng.fillNormal(x);
      let f = 0;
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let k = 0; k < d; k++) z += w[i * d + k]! * x[k]!;
        f += Math.max(z, 0);
      }
      const r = f - Math.max(x[0]!, 0); // teacher v = e_1
      const term = 0.5 * r * r;
      sum += term;
      sumSq += term * term;
    }
    const mean = sum / N;
    const se = Math.sqrt((sumSq / N - mean * mean) / N);
    expect(Math.abs(exact - mean)).toBeLessThan(3 * se);
  });

  it('its gradient is finite when every student equals the teacher (and equals the formula)', () => {
    const p = compiled('relu-neuron');
    const w = p.params[0]!;
    w.fill(0);
    w[0] = 1;
    w[5] = 1; // both students = v = e_1
    const { objective, grads } = p.evaluate();
    expect(Number.isFinite(objective)).toBe(true);
    for (const g of grads[0]!) expect(Number.isFinite(g)).toBe(true);
    // papers.md 4(b) with all angles 0: grad_i = 1/2 (sum_j w_j - v) = 1/2 e_1
    expect(Array.from(grads[0]!)).toEqual([0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0].map((x) => expect.closeTo(x, 12)));
  });
});

describe('gradient EM (papers.md section 3)', () => {
  it('quadrature(48) in d = 2 gives the hand-written Gauss–Hermite loss and gradient to 1e-12', () => {
    const p = compiled('gradient-em');
    const n = 5;
    const d = 2;
    const rng = new Random(3);
    const mu = p.params[0]!;
    for (let i = 0; i < mu.length; i++) mu[i] = rng.normal();
    const { objective, grads } = p.evaluate();
    // L = -E[logsumexp_i(-|x - mu_i|^2 / 2)], grad_i = -E[psi_i(x) (x - mu_i)]
    const grid = hermiteGrid(48, d);
    let loss = 0;
    const g = new Float64Array(n * d);
    for (let q = 0; q < grid.count; q++) {
      const x0 = grid.points[q * d]!;
      const x1 = grid.points[q * d + 1]!;
      const e = Array.from({ length: n }, (_, i) => -0.5 * ((x0 - mu[2 * i]!) ** 2 + (x1 - mu[2 * i + 1]!) ** 2));
      const m = Math.max(...e);
      const s = e.reduce((acc, v) => acc + Math.exp(v - m), 0);
      const weight = grid.weights[q]!;
      loss -= weight * (m + Math.log(s));
      for (let i = 0; i < n; i++) {
        const psi = Math.exp(e[i]! - m) / s;
        g[2 * i] = g[2 * i]! - weight * psi * (x0 - mu[2 * i]!);
        g[2 * i + 1] = g[2 * i + 1]! - weight * psi * (x1 - mu[2 * i + 1]!);
      }
    }
    expect(Math.abs(objective - loss) / Math.abs(loss)).toBeLessThan(1e-12);
    expect(relErr(grads[0]!, g)).toBeLessThan(1e-12);
  });
});
