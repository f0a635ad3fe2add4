// batchUnits: which entries of a sweep run as one batched program (seeds of one setting), and how they are shared among workers.
import { describe, expect, it } from 'vitest';
import { batchUnits } from '../../packages/cli/src/sweep-batch.js';
import { planSweep } from '../../packages/cli/src/sweep-plan.js';

const ids = (units: ReturnType<typeof batchUnits>): string[][] => units.map((u) => u.map((r) => r.id));

describe('batchUnits', () => {
  it('groups the seeds of each setting: a --set that changes a dim gives one batch per value', () => {
    const runs = planSweep([{ name: 'n', values: [2, 3] }], [1, 2, 3]);
    expect(ids(batchUnits(runs))).toEqual([['n=2 seed=1', 'n=2 seed=2', 'n=2 seed=3'], ['n=3 seed=1', 'n=3 seed=2', 'n=3 seed=3']]);
  });

  it('keeps optimizers apart, and runs a sweep without --seeds entry by entry', () => {
    const runs = planSweep([{ name: 'lr', values: [0.1] }], [1, 2], ['gd', 'adam']);
    expect(ids(batchUnits(runs))).toEqual([['optimizer=gd lr=0.1 seed=1', 'optimizer=gd lr=0.1 seed=2'], ['optimizer=adam lr=0.1 seed=1', 'optimizer=adam lr=0.1 seed=2']]);
    const unseeded = planSweep([{ name: 'n', values: [1, 2, 3] }], null);
    expect(ids(batchUnits(unseeded))).toEqual([['n=1'], ['n=2'], ['n=3']]);
  });

  it('cuts a setting\'s seeds into one share per worker (at least two seeds a share), in order, covering each entry once', () => {
    const runs = planSweep([], Array.from({ length: 64 }, (_, i) => i + 1));
    const two = batchUnits(runs, 2);
    expect(two.map((u) => u.length)).toEqual([32, 32]);
    expect(two.flat().map((r) => r.index)).toEqual(runs.map((r) => r.index));
    expect(batchUnits(runs.slice(0, 3), 4).map((u) => u.length)).toEqual([3]);
    expect(batchUnits(runs.slice(0, 5), 3).map((u) => u.length)).toEqual([2, 3]);
  });
});
