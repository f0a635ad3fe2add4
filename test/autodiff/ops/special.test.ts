// relu_kernel and angle: values, the finite gradient at alignment, zero vectors, a Monte Carlo check.
import { describe, expect, it } from 'vitest';
import { angle, grad, grads, mul, Random, reluKernel, sum, tensor, zeros, type Tensor } from '@descent/autodiff';

/** The closed form, in plain numbers: |a||b| (sin θ + (π − θ) cos θ) / (2π). */
function closedForm(a: readonly number[], b: readonly number[]): number {
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const c = Math.min(1, Math.max(-1, a.reduce((s, x, i) => s + x * b[i]!, 0) / (na * nb)));
  const t = Math.acos(c);
  return (na * nb * (Math.sin(t) + (Math.PI - t) * c)) / (2 * Math.PI);
}

/** ∂K/∂a = (1/2π) ((π − θ) b + sin θ |b| a/|a|), in plain numbers. */
function gradA(a: readonly number[], b: readonly number[]): number[] {
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const c = Math.min(1, Math.max(-1, a.reduce((s, x, i) => s + x * b[i]!, 0) / (na * nb)));
  const t = Math.acos(c);
  return a.map((x, i) => ((Math.PI - t) * b[i]! + Math.sin(t) * nb * (x / na)) / (2 * Math.PI));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Number.isFinite(actual[i]!), `element ${i} is ${actual[i]}`).toBe(true);
    expect(Math.abs(actual[i]! - expected[i]!), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(expected[i]!)),
    );
  }
}

const w = [0.3, -1.2, 0.7, 2.0];
const wt = tensor(w);
const sq = w.reduce((s, x) => s + x * x, 0);

describe('reluKernel at alignment', () => {
  it('reluKernel(w, w) = |w|²/2 with gradient w (finite)', () => {
    expect(reluKernel(wt, wt).item()).toBeCloseTo(sq / 2, 12);
    // both arguments are the same tensor: (1/2π)(π w) from each, w in total
    expectClose(grad((x) => reluKernel(x, x))(wt).data, w, 1e-7);
    // each argument alone gets w/2, the formula at θ = 0
    const [ga, gb] = grads((a, b) => reluKernel(a, b), [0, 1])(wt, wt);
    expectClose(ga!.data, w.map((x) => x / 2), 1e-7);
    expectClose(gb!.data, w.map((x) => x / 2), 1e-7);
  });

  it('reluKernel(w, c·w), c > 0: value c|w|²/2 and the formula’s finite gradient', () => {
    for (const c of [0.5, 3]) {
      const cw = tensor(w.map((x) => c * x));
      expect(reluKernel(wt, cw).item()).toBeCloseTo((c * sq) / 2, 12);
      const [ga, gb] = grads((a, b) => reluKernel(a, b), [0, 1])(wt, cw);
      expectClose(ga!.data, gradA(w, w.map((x) => c * x)), 1e-7);
      expectClose(ga!.data, w.map((x) => (c * x) / 2), 1e-7);
      expectClose(gb!.data, w.map((x) => x / 2), 1e-7);
      // through the scaling: d/dw K(w, c w) = c w
      expectClose(grad((x) => reluKernel(x, mul(c, x)))(wt).data, w.map((x) => c * x), 1e-7);
    }
  });

  it('is 0 with a zero gradient for anti-parallel vectors (θ = π)', () => {
    const minus = tensor(w.map((x) => -2 * x));
    expect(Math.abs(reluKernel(wt, minus).item())).toBeLessThan(1e-12);
    expect(angle(wt, minus).item()).toBeCloseTo(Math.PI, 7);
    const [ga, gb] = grads((a, b) => reluKernel(a, b), [0, 1])(wt, minus);
    expectClose(ga!.data, [0, 0, 0, 0], 1e-7);
    expectClose(gb!.data, [0, 0, 0, 0], 1e-7);
  });

  it('is 0 at a zero vector, with a finite gradient (b/4: θ taken as π/2, no a/|a| term)', () => {
    const z = zeros([4]);
    expect(reluKernel(z, wt).item()).toBe(0);
    const [ga, gb] = grads((a, b) => reluKernel(a, b), [0, 1])(z, wt);
    expectClose(ga!.data, w.map((x) => x / 4), 1e-12);
    expectClose(gb!.data, [0, 0, 0, 0], 1e-12);
  });
});

describe('reluKernel values', () => {
  it('matches the closed form and broadcasts leading axes', () => {
    const rng = new Random(7);
    const a = rng.randn([2, 1, 3]);
    const b = rng.randn([4, 3]);
    const k = reluKernel(a, b);
    expect(k.shape).toEqual([2, 4]);
    const row = (t: Tensor, i: number): number[] => Array.from(t.data.slice(3 * i, 3 * i + 3));
    const expected = [0, 1].flatMap((i) => [0, 1, 2, 3].map((j) => closedForm(row(a, i), row(b, j))));
    expectClose(k.data, expected, 1e-13);
    // the gradient sums over the broadcast axes
    const ga = grad((x) => sum(reluKernel(x, b)))(a);
    expect(ga.shape).toEqual([2, 1, 3]);
    const manual = [0, 1].flatMap((i) =>
      [0, 1, 2].map((q) => [0, 1, 2, 3].reduce((s, j) => s + gradA(row(a, i), row(b, j))[q]!, 0)),
    );
    expectClose(ga.data, manual, 1e-12);
  });

  it('agrees with a Monte Carlo estimate within 4 standard errors', () => {
    const rng = new Random(11);
    const a = [0.8, -0.4, 1.1];
    const b = [-0.2, 0.9, 0.5];
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let t = 0; t < n; t++) {
      const x = [rng.normal(), rng.normal(), rng.normal()];
      const ax = Math.max(0, a[0]! * x[0]! + a[1]! * x[1]! + a[2]! * x[2]!);
      const bx = Math.max(0, b[0]! * x[0]! + b[1]! * x[1]! + b[2]! * x[2]!);
      const v = ax * bx;
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const se = Math.sqrt((s2 / n - mean * mean) / n);
    const exact = reluKernel(tensor(a), tensor(b)).item();
    expect(Math.abs(mean - exact)).toBeLessThan(4 * se);
  });
});

describe('angle', () => {
  it('is clamped into [0, π]', () => {
    expect(angle(tensor([1, 0]), tensor([0, 2])).item()).toBeCloseTo(Math.PI / 2, 14);
    expect(angle(wt, wt).item()).toBeLessThan(1e-7);
    expect(angle(wt, tensor(w.map((x) => -x))).item()).toBeCloseTo(Math.PI, 7);
    const batch = angle(tensor([[1, 0], [1, 1]]), tensor([1, 0]));
    expect(batch.shape).toEqual([2]);
    expectClose(batch.data, [0, Math.PI / 4], 1e-14);
    expect(() => angle(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/angle/);
  });
});
