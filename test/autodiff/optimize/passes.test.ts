// Plan optimizations: fused loops, merged subexpressions and recycled buffers change no value;
// a recycled buffer is never one a later kernel still reads; the fast exp stays within its bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, backward, div, exp, logsumexp, matmul, mul, neg, OPTIONAL_PASSES, placeholder, planOf, Random, relu, softmax, sqrt, square,
  sub, sum, tanh, transpose, type PlanOptions, type Tensor,
} from '@descent/autodiff';
import { assignBuffers, type BufferStep } from '../../../packages/autodiff/src/optimize/buffers.js';
import { fastExp } from '../../../packages/autodiff/src/kernels/fast-exp.js';

/** A loss with shared subexpressions, broadcasting, reductions and a matmul, and its gradients. */
function graph(): { inputs: Tensor[]; outputs: Tensor[] } {
  const w = placeholder([4, 3], 'w');
  const x = placeholder([6, 3], 'x');
  const b = placeholder([4], 'b');
  const zx = matmul(x, transpose(w)); // [6, 4]
  const a = add(zx, b); // [6, 4] + [4]
  const h = mul(tanh(a), relu(sub(a, 0.1)));
  const again = mul(tanh(add(zx, b)), relu(sub(add(zx, b), 0.1))); // the same value, built twice
  const l = add(sum(square(h)), mul(0.5, sum(logsumexp(neg(again), 1))));
  const s = sum(mul(softmax(a, 1), div(exp(mul(a, 0.3)), sqrt(add(square(b), 1)))));
  const loss = add(l, s);
  const grads = backward(loss, [w, b]);
  return { inputs: [w, x, b], outputs: [loss, ...grads] };
}

function run(options: Parameters<typeof planOf>[2]): Float64Array[] {
  const { inputs, outputs } = graph();
  const plan = planOf(inputs, outputs, options);
  const rng = new Random(3);
  const values = inputs.map((t) => rng.randn(t.shape));
  return plan.run(values).map((t) => Float64Array.from(t.data));
}

describe('plan optimizations', () => {
  it('fused, merged and recycled plans give the same values as one kernel per node', () => {
    const reference = run({ passes: [], reuseBuffers: false });
    // every pass alone, every pass left out, and no buffer reuse
    const selections: PlanOptions[] = [
      {},
      { reuseBuffers: false },
      ...OPTIONAL_PASSES.map((p) => ({ passes: [p] })),
      ...OPTIONAL_PASSES.map((p) => ({ passes: OPTIONAL_PASSES.filter((q) => q !== p) })),
    ];
    for (const options of selections) {
      const got = run(options);
      got.forEach((g, k) => {
        const r = reference[k]!;
        expect(g.length).toBe(r.length);
        for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - r[i]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(r[i]!)));
      });
    }
  });

  it('fuses elementwise chains and merges repeated subexpressions', () => {
    const { inputs, outputs } = graph();
    const on = planOf(inputs, outputs);
    const off = planOf(inputs, outputs, { passes: [], reuseBuffers: false });
    expect(on.stats.fused).toBeGreaterThan(0);
    expect(on.stats.merged).toBeGreaterThan(0);
    expect(on.stats.kernels).toBeLessThan(off.stats.kernels);
    expect(on.stats.bufferElements).toBeLessThan(off.stats.bufferElements);
    expect(on.dump()).toMatch(/fused\(/);
  });

  it('a plan with every optimization allocates nothing per run', async () => {
    const { allocationCount } = await import('@descent/autodiff');
    const { inputs, outputs } = graph();
    const plan = planOf(inputs, outputs);
    const values = inputs.map((t) => new Random(1).randn(t.shape));
    plan.run(values);
    const before = allocationCount().buffers;
    for (let i = 0; i < 100; i++) plan.run(values);
    expect(allocationCount().buffers).toBe(before);
  });

  it('never gives a step a buffer that a later step still reads (random step lists)', () => {
    const stepList = fc.array(fc.record({ size: fc.integer({ min: 1, max: 40 }), reads: fc.array(fc.nat(), { maxLength: 3 }) }), {
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(stepList, fc.array(fc.nat(), { maxLength: 4 }), (raw, pinnedRaw) => {
        // step k writes owner k and reads owners written by earlier steps
        const steps: BufferStep[] = raw.map((s, k) => ({
          writes: k,
          size: s.size,
          reads: k === 0 ? [] : s.reads.map((r) => r % k),
        }));
        const pinned = new Set(pinnedRaw.map((p) => p % steps.length));
        const bufs = assignBuffers(steps, pinned, (n) => new Float64Array(n));
        const lastRead = new Map<number, number>();
        steps.forEach((s, k) => s.reads.forEach((r) => lastRead.set(r, k)));
        const overlaps = (a: Float64Array, b: Float64Array): boolean =>
          a.buffer === b.buffer &&
          a.byteOffset < b.byteOffset + b.byteLength &&
          b.byteOffset < a.byteOffset + a.byteLength;
        steps.forEach((s, k) => {
          const out = bufs.get(k)!;
          expect(out.length).toBe(s.size);
          // every earlier owner still live at step k (read at k or later, or pinned) is disjoint
          for (let o = 0; o < k; o++) {
            const live = pinned.has(o) || (lastRead.get(o) ?? -1) >= k;
            if (live) expect(overlaps(out, bufs.get(o)!)).toBe(false);
          }
        });
      }),
    );
  });
});

describe('fastExp', () => {
  it('is within 6e-16 relative of Math.exp over (-708, 709) and exact-compatible outside', () => {
    const rng = new Random(11);
    let worst = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const x = -708 + 1417 * rng.uniform();
      const e = Math.abs(fastExp(x) - Math.exp(x)) / Math.exp(x);
      if (e > worst) worst = e;
    }
    for (let i = 0; i < 1_000_000; i++) {
      const x = -3 + 6 * rng.uniform();
      const e = Math.abs(fastExp(x) - Math.exp(x)) / Math.exp(x);
      if (e > worst) worst = e;
    }
    expect(worst).toBeLessThan(6e-16);
    for (const x of [0, -0, 1, -1, Math.LN2, 709.5, -745, -800, 1000, Infinity, -Infinity]) {
      const e = Math.exp(x);
      if (Number.isFinite(e) && e > 0) expect(Math.abs(fastExp(x) - e)).toBeLessThanOrEqual(6e-16 * e);
      else expect(fastExp(x)).toBe(e); // outside (-708, 709): Math.exp itself
    }
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(0)).toBe(1);
  });
});
