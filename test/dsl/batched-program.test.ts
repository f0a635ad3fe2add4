// BatchedProgram: several seeds of one program in one plan, each seed's values its own program's.
import { describe, expect, it } from 'vitest';
import { BatchedProgram, compileSeeds, compileSource, NotBatchableError } from '../../packages/dsl/src/index.js';

const SOURCE = `
dim n = 3
let A[n, n] = randn(n, n)
param w[n] ~ normal(0, 1)
loss = 0.5 * |A @ w - onehot(n, 0)|^2 + 0.01 * sum_i w[i]^4
metric size = |w|
metric first = A[0, 0]
optimizer gd(lr = 0.05)
`;

/** Runs `steps` gd steps of each seed alone and of all seeds batched; returns both trajectories of objectives and the final metrics. */
function both(source: string, seeds: number[], steps: number): { alone: number[][]; batched: number[][] } {
  const programs = compileSeeds(source, {}, seeds)!;
  const b = new BatchedProgram(programs);
  b.initialize();
  const batched: number[][] = seeds.map(() => []);
  for (let t = 0; t < steps; t++) {
    b.evaluate();
    seeds.forEach((_, s) => batched[s]!.push(b.objective[s]!));
    b.params.forEach((p, i) => { for (let j = 0; j < p.length; j++) p[j] = p[j]! - 0.05 * b.grads[i]![j]!; });
  }
  b.computeMetrics();
  seeds.forEach((_, s) => batched[s]!.push(...b.metricViews(s).flatMap((v) => Array.from(v))));
  const alone = seeds.map((seed) => {
    const r = compileSource(source, { seed });
    if (!r.ok) throw new Error('does not compile');
    const p = r.program;
    p.initialize();
    const out: number[] = [];
    for (let t = 0; t < steps; t++) {
      const e = p.evaluate();
      out.push(e.objective);
      p.params.forEach((x, i) => { for (let j = 0; j < x.length; j++) x[j] = x[j]! - 0.05 * e.grads[i]![j]!; });
    }
    out.push(...p.metricViews().flatMap((v) => Array.from(v)));
    return out;
  });
  return { alone, batched };
}

describe('BatchedProgram', () => {
  it('stacks each seed\'s initialization and random constants: every seed\'s objectives and metrics are its own program\'s, bit for bit', () => {
    const { alone, batched } = both(SOURCE, [1, 2, 7], 50);
    expect(batched).toEqual(alone);
    // the seeds differ (a constant drawn per seed is stacked, not shared)
    expect(batched[0]![batched[0]!.length - 1]).not.toBe(batched[1]![batched[1]!.length - 1]);
  });

  it('compileSeeds gives each seed the program compileSource gives it', () => {
    const [p] = compileSeeds(SOURCE, {}, [5])!;
    const r = compileSource(SOURCE, { seed: 5 });
    if (!r.ok) throw new Error('does not compile');
    p!.initialize();
    r.program.initialize();
    expect(p!.params).toEqual(r.program.params);
    expect(p!.evaluate().objective).toBe(r.program.evaluate().objective);
  });

  it('refuses what a batch cannot hold: fresh samples, update rules', () => {
    const fresh = 'dim d = 2\nparam w[d] ~ normal(0, 1)\nsample x[d] ~ normal(0, 1)\nexpect samples(4, fresh)\nloss = E[dot(w, x)^2]';
    expect(() => new BatchedProgram(compileSeeds(fresh, {}, [1, 2])!)).toThrow(NotBatchableError);
    const updates = 'param w ~ normal(0, 1)\nparam m = 0\nupdate m = 0.5 * m + w\nloss = w^2';
    expect(() => new BatchedProgram(compileSeeds(updates, {}, [1, 2])!)).toThrow(/update rules/);
  });

  it('refuses seeds whose graphs differ in shape (not one program)', () => {
    const small = compileSeeds(SOURCE, {}, [1])!;
    const large = compileSeeds(SOURCE, { overrides: { n: 4 } }, [2])!;
    expect(() => new BatchedProgram([...small, ...large])).toThrow(NotBatchableError);
  });

  it('returns undefined for a source that does not compile', () => {
    expect(compileSeeds('param w ~ normal(0, 1)\nloss = v^2', {}, [1, 2])).toBeUndefined();
  });
});
