// seedCompiler and compileSeeds: one parse and check, each seed lowered as compileSource lowers it.
import { describe, expect, it } from 'vitest';
import { compileSeeds, compileSource, seedCompiler } from '../../packages/dsl/src/index.js';

const SOURCE = `
dim n = 3
let A[n, n] = randn(n, n)
param w[n] ~ normal(0, 1)
loss = 0.5 * |A @ w|^2
optimizer gd(lr = 0.05)
`;

describe('seedCompiler', () => {
  it('lowers each seed, in any order and more than once, to the program compileSource gives that seed', () => {
    const lower = seedCompiler(SOURCE, { overrides: { n: 4 } })!;
    for (const seed of [9, 2, 9]) {
      const p = lower(seed)!;
      const r = compileSource(SOURCE, { seed, overrides: { n: 4 } });
      if (!r.ok) throw new Error('does not compile');
      p.initialize();
      r.program.initialize();
      expect(p.seed).toBe(seed);
      expect(p.params).toEqual(r.program.params);
      expect(p.evaluate().objective).toBe(r.program.evaluate().objective);
    }
  });

  it('is undefined for a source that does not parse or does not check, as compileSeeds is', () => {
    expect(seedCompiler('param w ~ normal(0, 1)\nloss = (w', {})).toBeUndefined();
    expect(seedCompiler('param w ~ normal(0, 1)\nloss = v^2', {})).toBeUndefined();
    expect(compileSeeds('param w ~ normal(0, 1)\nloss = v^2', {}, [1])).toBeUndefined();
  });
});
