// Optimizers: convergence on quadratics, hand-computed first steps, flow accuracy, bit-exact resume.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOptimizer, decodeF64, encodeF64, OptimizerError, type GradientFn, type OptimizerSpec, type OptimizerState,
} from '../../../packages/autodiff/src/optim/index.js';

/** f(x) = ½ Σ aᵢ xᵢ² over one parameter vector; ∇f = a ⊙ x. */
function quadratic(a: readonly number[]): GradientFn {
  return (params, out) => {
    const x = params[0]!;
    const g = out[0]!;
    for (let i = 0; i < x.length; i++) g[i] = a[i]! * x[i]!;
  };
}

/** x after each of the first `steps` steps of `spec` on f = x²/2 from x = 1. */
function firstSteps(spec: OptimizerSpec, steps: number): number[] {
  const x = new Float64Array([1]);
  const opt = createOptimizer(spec, [1]);
  const seen: number[] = [];
  for (let t = 0; t < steps; t++) {
    opt.step([x], quadratic([1]));
    seen.push(x[0]!);
  }
  return seen;
}

/** A non-quadratic two-parameter loss, so optimizer state matters: f = Σ x⁴/4 + (x·y − 1)²/2 + |y|²/2. */
const coupled: GradientFn = (params, out) => {
  const x = params[0]!;
  const y = params[1]!;
  let dot = 0;
  for (let i = 0; i < x.length; i++) dot += x[i]! * y[i]!;
  const r = dot - 1;
  for (let i = 0; i < x.length; i++) {
    out[0]![i] = x[i]! ** 3 + r * y[i]!;
    out[1]![i] = r * x[i]! + y[i]!;
  }
};

const norm = (x: Float64Array): number => Math.hypot(...x);

const SPECS: readonly OptimizerSpec[] = [
  { kind: 'gd', lr: 0.1 },
  { kind: 'momentum', lr: 0.05, beta: 0.9 },
  { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  { kind: 'flow', dt: 0.1 },
];

describe('convergence on a quadratic', () => {
  for (const spec of SPECS) {
    it(spec.kind, () => {
      const x = new Float64Array([1, -2, 0.5]);
      const opt = createOptimizer(spec, [3]);
      const grad = quadratic([1, 2, 0.5]);
      for (let t = 0; t < 3000; t++) opt.step([x], grad);
      // Adam with a constant lr hovers at a distance ~lr·(small) from the minimum
      expect(norm(x)).toBeLessThan(spec.kind === 'adam' ? 1e-3 : 1e-10);
      expect(opt.steps).toBe(3000);
    });
  }
});

describe('first three steps by hand, f = x²/2 from x = 1', () => {
  it('momentum(lr 0.1, beta 0.9)', () => {
    // v₁ = 1,              x₁ = 1 − 0.1·1       = 0.9
    // v₂ = 0.9·1 + 0.9     = 1.8,  x₂ = 0.9 − 0.18  = 0.72
    // v₃ = 0.9·1.8 + 0.72  = 2.34, x₃ = 0.72 − 0.234 = 0.486
    const seen = firstSteps({ kind: 'momentum', lr: 0.1, beta: 0.9 }, 3);
    expect(seen[0]).toBeCloseTo(0.9, 15);
    expect(seen[1]).toBeCloseTo(0.72, 15);
    expect(seen[2]).toBeCloseTo(0.486, 15);
  });

  it('adam(lr 0.1, 0.9, 0.999, 1e-8)', () => {
    // t=1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, x₁ = 1 − 0.1/(1 + 1e-8) = 0.900000001
    // t=2: g = x₁, m = 0.09 + 0.1x₁ = 0.1800000001, v = 0.000999 + 0.001x₁² = 0.001809000002,
    //      m̂ = m/0.19 = 0.94736842158, v̂ = v/0.001999 = 0.90495247724, x₂ = x₁ − 0.1 m̂/(√v̂ + ε) = 0.80041222971
    // t=3: g = x₂, m = 0.9m + 0.1x₂ = 0.24204122306, v = 0.999v + 0.001x₂² = 0.00244785074,
    //      m̂ = m/0.271, v̂ = v/0.002997001, x₃ = 0.70158627450
    const seen = firstSteps({ kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 3);
    expect(seen[0]).toBeCloseTo(0.900000001, 14);
    expect(seen[1]).toBeCloseTo(0.80041222971, 10);
    expect(seen[2]).toBeCloseTo(0.7015862745, 10);
  });
});

describe('flow', () => {
  it('follows x(t) = exp(−t) for f = x²/2 to 1e-8', () => {
    const x = new Float64Array([1]);
    const opt = createOptimizer({ kind: 'flow', dt: 0.5 }, [1]);
    for (let k = 1; k <= 40; k++) {
      opt.step([x], quadratic([1]));
      expect(Math.abs(x[0]! - Math.exp(-0.5 * k))).toBeLessThan(1e-8);
    }
  });

  it('takes several substeps when dt is large and still lands on exp(−a t)', () => {
    const x = new Float64Array([1, 1]);
    const opt = createOptimizer({ kind: 'flow', dt: 2 }, [2]);
    opt.step([x], quadratic([1, 3]));
    expect(Math.abs(x[0]! - Math.exp(-2))).toBeLessThan(1e-8);
    expect(Math.abs(x[1]! - Math.exp(-6))).toBeLessThan(1e-8);
    expect(opt.state().scalars['evaluations']).toBeGreaterThan(7);
  });

  it('lets a non-finite gradient through so the caller can detect divergence', () => {
    const x = new Float64Array([1]);
    const opt = createOptimizer({ kind: 'flow', dt: 0.1 }, [1]);
    opt.step([x], (_p, out) => out[0]!.fill(NaN));
    expect(Number.isNaN(x[0]!)).toBe(true);
  });
});

describe('no per-step allocation of gradient buffers', () => {
  it('hands the gradient function the same buffers every step', () => {
    for (const spec of SPECS) {
      const opt = createOptimizer(spec, [2, 3]);
      const seen = new Set<Float64Array>();
      const params: Float64Array[] = [new Float64Array([0.3, -0.2]), new Float64Array([0.1, 0.2, 0.3])];
      const coupled3: GradientFn = (p, out) => {
        for (const b of out) seen.add(b);
        for (const b of p) if (!params.includes(b)) seen.add(b);
        out[0]!.set(p[0]!);
        out[1]!.set(p[1]!);
      };
      for (let t = 0; t < 20; t++) opt.step(params, coupled3);
      // gd/momentum/adam: one gradient set; flow: 7 stages plus 2 stage-point sets
      expect(seen.size).toBeLessThanOrEqual(spec.kind === 'flow' ? 18 : 2);
    }
  });
});

describe('state save and restore', () => {
  /** Runs `split` steps, saves, runs on; then restores into a fresh optimizer and compares bits. */
  function resumeIsExact(spec: OptimizerSpec, split: number, after: number, init: readonly number[]): void {
    const n = init.length;
    const a = [Float64Array.from(init), Float64Array.from(init, (v) => v / 2 + 0.1)];
    const opt = createOptimizer(spec, [n, n]);
    for (let t = 0; t < split; t++) opt.step(a, coupled);
    const saved = JSON.stringify({ opt: opt.state(), params: a.map(encodeF64) });
    for (let t = 0; t < after; t++) opt.step(a, coupled);

    const back = JSON.parse(saved) as { opt: OptimizerState; params: string[] };
    const b = back.params.map(decodeF64);
    const fresh = createOptimizer(spec, [n, n]);
    fresh.restore(back.opt);
    expect(fresh.steps).toBe(split);
    for (let t = 0; t < after; t++) fresh.step(b, coupled);
    for (let p = 0; p < 2; p++) expect(encodeF64(b[p]!)).toBe(encodeF64(a[p]!));
    expect(fresh.state()).toEqual(opt.state());
  }

  for (const spec of SPECS) {
    it(`${spec.kind} continues bit-identically`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 15 }),
          fc.integer({ min: 1, max: 15 }),
          fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 4 }),
          (split, after, init) => resumeIsExact(spec, split, after, init),
        ),
        { numRuns: 25 },
      );
    });
  }

  it('encodes -0, NaN and infinities exactly', () => {
    const v = new Float64Array([-0, NaN, Infinity, -Infinity, 5e-324, 1 / 3]);
    const w = decodeF64(encodeF64(v));
    expect(Buffer.from(w.buffer).equals(Buffer.from(v.buffer))).toBe(true);
  });

  it('refuses a state from another optimizer or other sizes', () => {
    const gdState = createOptimizer({ kind: 'gd', lr: 0.1 }, [2]).state();
    expect(() => createOptimizer({ kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 0 }, [2]).restore(gdState)).toThrow(
      OptimizerError,
    );
    expect(() => createOptimizer({ kind: 'gd', lr: 0.2 }, [2]).restore(gdState)).toThrow(/lr/);
    expect(() => createOptimizer({ kind: 'gd', lr: 0.1 }, [3]).restore(gdState)).toThrow(/sizes/);
  });

  it('rejects bad hyperparameters', () => {
    expect(() => createOptimizer({ kind: 'gd', lr: -1 }, [1])).toThrow(/lr must be positive/);
    expect(() => createOptimizer({ kind: 'momentum', lr: 0.1, beta: 1 }, [1])).toThrow(/beta/);
    expect(() => createOptimizer({ kind: 'flow', dt: NaN }, [1])).toThrow(/dt/);
  });
});

describe('the portable base64 of states is Node\'s', () => {
  it('encodes as Buffer does and decodes Buffer\'s text, for any doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 40 }), (values) => {
        const a = Float64Array.from(values);
        const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        expect(encodeF64(a)).toBe(bytes.toString('base64'));
        expect([...decodeF64(bytes.toString('base64'))]).toEqual([...a]);
      }),
    );
  });

  it('refuses text that is not base64, naming the character', () => {
    expect(() => decodeF64('AAAA*AAAAAA=')).toThrow(/"\*" at 4 is not a base64 character/);
  });
});
