// BatchedProgram on the prebuilt models: each seed's loss, gradients, parameters and metrics its lone program's, bit for bit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchedProgram, compileSeeds, compileSource, type BatchMode } from '../../packages/dsl/src/index.js';

const MODELS = path.join(__dirname, '../../packages/models');

/** Bits of numbers (so -0 and 0, or NaN payloads, compare as what they are). */
const bits = (xs: ArrayLike<number>): bigint[] => Array.from(new BigUint64Array(Float64Array.from(xs).buffer));

/**
 * `steps` plain gradient steps (lr) of each seed batched and alone, recording at every step the
 * objective and gradients, and every `every` steps the metrics; then the final parameters.
 */
function trajectories(model: string, seeds: number[], steps: number, every: number, lr: number, mode: BatchMode): { alone: bigint[][]; batched: bigint[][]; batch: BatchedProgram } {
  const source = fs.readFileSync(path.join(MODELS, `${model}.loss`), 'utf8');
  const b = new BatchedProgram(compileSeeds(source, {}, seeds)!, Infinity, mode);
  b.initialize();
  const batched: number[][] = seeds.map(() => []);
  for (let t = 0; t < steps; t++) {
    b.evaluate();
    seeds.forEach((_, s) => batched[s]!.push(b.objective[s]!, ...b.gradViews(s).flatMap((g) => Array.from(g))));
    if (t % every === 0) {
      b.computeMetrics();
      seeds.forEach((_, s) => batched[s]!.push(...b.metricViews(s).flatMap((v) => Array.from(v))));
    }
    b.params.forEach((p, i) => { for (let j = 0; j < p.length; j++) p[j] = p[j]! - lr * b.grads[i]![j]!; });
  }
  seeds.forEach((_, s) => batched[s]!.push(...b.paramViews(s).flatMap((p) => Array.from(p))));
  const alone = seeds.map((seed) => {
    const r = compileSource(source, { seed });
    if (!r.ok) throw new Error(`${model} does not compile`);
    const p = r.program;
    p.initialize();
    const out: number[] = [];
    for (let t = 0; t < steps; t++) {
      const e = p.evaluate();
      out.push(e.objective, ...e.grads.flatMap((g) => Array.from(g)));
      if (t % every === 0) out.push(...p.metricViews().flatMap((v) => Array.from(v)));
      p.params.forEach((x, i) => { for (let j = 0; j < x.length; j++) x[j] = x[j]! - lr * e.grads[i]![j]!; });
    }
    out.push(...p.params.flatMap((x) => Array.from(x)));
    return out;
  });
  return { alone: alone.map(bits), batched: batched.map(bits), batch: b };
}

describe('BatchedProgram, stacked: the prebuilt models bit for bit', () => {
  const cases: [string, string[], number][] = [
    ['relu-neuron', [], 0.1],
    ['matrix-factorization', [], 0.02],
  ];
  for (const [model, , lr] of cases) {
    it(`${model}: every seed's objectives, gradients, metrics and parameters are its lone program's`, () => {
      const { alone, batched, batch } = trajectories(model, [1, 2, 3, 11, 12], 300, 37, lr, 'auto');
      expect(batch.mode).toBe('stacked');
      expect(batched).toEqual(alone);
      // the seeds differ
      expect(batched[0]).not.toEqual(batched[1]);
    });
  }

  it('the seed-axis plan stays available (mode seed-axis), and agrees with the lone runs to rounding', () => {
    const { alone, batched, batch } = trajectories('relu-neuron', [1, 2], 20, 5, 0.1, 'seed-axis');
    expect(batch.mode).toBe('seed-axis');
    const value = (b: bigint): number => new Float64Array(BigUint64Array.of(b).buffer)[0]!;
    batched.forEach((row, s) => row.forEach((b, k) => {
      const [x, y] = [value(b), value(alone[s]![k]!)];
      expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(x), Math.abs(y), 1e-300));
    }));
  });
});
