// hessian_eigs, sharpness and hessian_trace: exact against a finite-difference Hessian on a small
// model, and Lanczos / Hutchinson against the dense path on a model just below its threshold.
import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '@descent/autodiff';
import { compileSource, formatDiagnostics, type CompileOptions, type Program } from '@descent/dsl';

function compiled(source: string, options: CompileOptions = {}): Program {
  const r = compileSource(source, { file: 'curvature.loss', ...options });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

/** The flattened gradient at the program's current parameters. */
function gradientAt(p: Program): Float64Array {
  const gs = p.evaluate().grads;
  const out = new Float64Array(gs.reduce((s, g) => s + g.length, 0));
  let off = 0;
  for (const g of gs) {
    out.set(g, off);
    off += g.length;
  }
  return out;
}

/**
 * The Hessian by another route: central differences of the compiled gradient, improved by one
 * Richardson step ((4 D(h/2) − D(h)) / 3, error O(h⁴)), then symmetrized.
 */
function finiteDifferenceHessian(p: Program, h: number): { hessian: Float64Array; n: number } {
  const slots = p.params.flatMap((buf) => Array.from(buf.keys(), (i) => [buf, i] as const));
  const n = slots.length;
  const hessian = new Float64Array(n * n);
  const diff = (j: number, step: number): Float64Array => {
    const [buf, i] = slots[j]!;
    const x = buf[i]!;
    buf[i] = x + step;
    const up = gradientAt(p);
    buf[i] = x - step;
    const down = gradientAt(p);
    buf[i] = x;
    return up.map((u, k) => (u - down[k]!) / (2 * step));
  };
  for (let j = 0; j < n; j++) {
    const coarse = diff(j, h);
    const fine = diff(j, h / 2);
    for (let i = 0; i < n; i++) hessian[i * n + j] = (4 * fine[i]! - coarse[i]!) / 3;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = (hessian[i * n + j]! + hessian[j * n + i]!) / 2;
      hessian[i * n + j] = s;
      hessian[j * n + i] = s;
    }
  }
  return { hessian, n };
}

const SMALL = `
dim n = 12
dim d = 3
dim h = 4
let X[n, d] = randn(n, d)
let y[n] = sin(X @ onehot(d, 0))
param W[h, d] ~ normal(0, 0.8)
param a[h] ~ normal(0, 0.5)
loss = 0.5 * mean_k (dot(a, tanh(W @ X[k])) - y[k])^2
metric sharp = sharpness(loss)
metric top[i] = hessian_eigs(loss, 16)[i]
metric tr = hessian_trace(loss)
metric gap = sharpness(loss) - hessian_eigs(loss, 2)[1]
`;

describe('Hessian metrics of a 16-parameter model', () => {
  it('equal the spectrum and trace of the finite-difference Hessian to 1e-8', () => {
    const p = compiled(SMALL);
    p.initialize();
    const { hessian, n } = finiteDifferenceHessian(p, 1e-3);
    expect(n).toBe(16);
    const reference = Array.from(symmetricEigenvalues(hessian, n)).reverse();
    let trace = 0;
    for (let j = 0; j < n; j++) trace += hessian[j * n + j]!;
    const m = p.metrics();
    const scale = Math.max(...reference.map(Math.abs));
    const top = m.top as number[];
    top.forEach((v, i) => expect(Math.abs(v - reference[i]!) / scale, `eigenvalue ${i}`).toBeLessThan(1e-8));
    expect(Math.abs((m.sharp as number) - reference[0]!) / scale).toBeLessThan(1e-8);
    expect(Math.abs((m.tr as number) - trace) / scale).toBeLessThan(1e-8);
    expect(m.gap as number).toBeCloseTo(reference[0]! - reference[1]!, 8);
    expect(p.curvatureReport().map((r) => r.method)).toEqual(['dense', 'dense', 'dense', 'dense', 'dense']);
  });

  it('are refused outside metrics, and of a non-scalar, with the place', () => {
    const bad = (body: string, message: RegExp): void => {
      const r = compileSource(`dim d = 3\nparam w[d] ~ normal(0, 1)\n${body}\n`, { file: 'bad.loss' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(formatDiagnostics(r.diagnostics, body)).toMatch(message);
    };
    bad('loss = |w|^2 + sharpness(|w|^2)', /`sharpness` is a metric/);
    bad('loss = |w|^2\nmetric s[i] = hessian_trace(w[i])', /`hessian_trace` needs a scalar/);
    bad('loss = |w|^2\nmetric s = hessian_eigs(loss, 0)[0]', /count of at least 1/);
  });
});

// 1,845 parameters: below the dense threshold (2048), so the exact answer is affordable
const MEDIUM = `
dim n = 200
dim d = 40
dim h = 45
let X[n, d] = randn(n, d)
let y[n] = sin(X @ onehot(d, 0))
param W[h, d] ~ normal(0, 0.3)
param a[h] ~ normal(0, 0.3)
loss = 0.5 * mean_k (dot(a, tanh(W @ X[k])) - y[k])^2
metric top[i] = hessian_eigs(loss, 3)[i]
metric tr = hessian_trace(loss)
`;

describe('Lanczos and Hutchinson against the dense path (1,845 parameters)', () => {
  it('Lanczos top 3 agree to 1e-6 relative; Hutchinson is within 4 standard errors of the exact trace', () => {
    const dense = compiled(MEDIUM, { curvatureMethod: 'dense' });
    const iterative = compiled(MEDIUM, { curvatureMethod: 'iterative' });
    dense.initialize();
    iterative.initialize();
    const exact = dense.metrics();
    const approx = iterative.metrics();
    (approx.top as number[]).forEach((v, i) => {
      const want = (exact.top as number[])[i]!;
      expect(Math.abs(v - want) / Math.abs(want), `eigenvalue ${i}`).toBeLessThan(1e-6);
    });
    const [eigs, trace] = iterative.curvatureReport();
    expect(eigs!.method).toBe('lanczos');
    expect(eigs!.error).toBeLessThanOrEqual(1e-6);
    expect(trace!.method).toBe('hutchinson');
    expect(trace!.error).toBeGreaterThan(0);
    expect(Math.abs((approx.tr as number) - (exact.tr as number))).toBeLessThan(4 * trace!.error);
  }, 120_000);
});
