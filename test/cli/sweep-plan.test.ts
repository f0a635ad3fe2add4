// Sweep plans: stable order and names, --plan text, --index selection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../packages/cli/src/errors.js';
import { planSweep, planText, selectRun } from '../../packages/cli/src/sweep-plan.js';

describe('planSweep', () => {
  it('first --set varies slowest, seeds fastest, with stable ids and folders', () => {
    const runs = planSweep([{ name: 'n', values: [1, 2, 5] }, { name: 'lr', values: [0.1, 0.01] }], [1, 2]);
    expect(runs).toHaveLength(12);
    expect(runs.slice(0, 3).map((r) => r.id)).toEqual(['n=1 lr=0.1 seed=1', 'n=1 lr=0.1 seed=2', 'n=1 lr=0.01 seed=1']);
    expect(runs[11]).toEqual({
      index: 11, settings: [{ name: 'n', value: 5 }, { name: 'lr', value: 0.01 }], seed: 2,
      id: 'n=5 lr=0.01 seed=2', group: 'n=5 lr=0.01', dir: '11_n=5_lr=0.01_seed=2',
    });
    expect(runs[0]!.dir).toBe('00_n=1_lr=0.1_seed=1');
  });

  it('without seeds uses the model seed; without settings, one default run', () => {
    expect(planSweep([{ name: 'd', values: [1e-7, 20000] }], null).map((r) => [r.id, r.dir, r.seed])).toEqual([
      ['d=1e-7', '0_d=1e-7', null],
      ['d=2e4', '1_d=2e4', null],
    ]);
    expect(planSweep([], null)).toEqual([{ index: 0, settings: [], seed: null, id: 'default', group: '', dir: '0' }]);
    expect(planSweep([], [3, 4]).map((r) => r.dir)).toEqual(['0_seed=3', '1_seed=4']);
  });

  it('is the product, deterministic, with distinct folders', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('n', 'd', 'lr', 'm', 'k'), { maxLength: 3 }),
        fc.array(fc.uniqueArray(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)), { minLength: 1, maxLength: 3 }), { minLength: 3, maxLength: 3 }),
        fc.uniqueArray(fc.nat(50), { maxLength: 4 }),
        (names, valueLists, seeds) => {
          const settings = names.map((name, i) => ({ name, values: valueLists[i]! }));
          const a = planSweep(settings, seeds);
          const b = planSweep(settings, seeds);
          expect(a).toEqual(b);
          const size = settings.reduce((p, s) => p * s.values.length, 1) * Math.max(1, seeds.length);
          expect(a).toHaveLength(size);
          expect(new Set(a.map((r) => r.dir)).size).toBe(size);
          a.forEach((r, i) => expect(r.index).toBe(i));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('--plan and --index', () => {
  const settings = [{ name: 'n', values: [1, 2] }];
  const runs = planSweep(settings, [1, 2, 3]);

  it('lists the runs with their folders', () => {
    expect(planText(runs, settings, [1, 2, 3], 'runs/sw/')).toBe(
      [
        '6 runs: n ∈ {1, 2} × 3 seeds',
        '0  n=1 seed=1  runs/sw/0_n=1_seed=1',
        '1  n=1 seed=2  runs/sw/1_n=1_seed=2',
        '2  n=1 seed=3  runs/sw/2_n=1_seed=3',
        '3  n=2 seed=1  runs/sw/3_n=2_seed=1',
        '4  n=2 seed=2  runs/sw/4_n=2_seed=2',
        '5  n=2 seed=3  runs/sw/5_n=2_seed=3',
      ].join('\n'),
    );
  });

  it('selects one entry, or says the range', () => {
    expect(selectRun(runs, 4).id).toBe('n=2 seed=2');
    expect(() => selectRun(runs, 6)).toThrow(CliError);
    expect(() => selectRun(runs, 6)).toThrow('--index 6 is out of range: this sweep has 6 runs (0-5).');
  });
});
