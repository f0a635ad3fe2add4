// run-model: the load paths a model's record lists, from one parse per source.
import { describe, expect, it } from 'vitest';
import { loadPaths } from '../../packages/cli/src/run-model.js';

describe('loadPaths', () => {
  it('lists each source\'s own load paths, asked again and again in turn', () => {
    const a = 'let X = load("a.csv")\nlet Y = load("b.npy")\nparam w ~ normal(0, 1)\nloss = w^2';
    const b = 'let X = load("c.csv")\nparam w ~ normal(0, 1)\nloss = w^2';
    for (let i = 0; i < 3; i++) {
      expect(loadPaths(a)).toEqual(['a.csv', 'b.npy']);
      expect(loadPaths(a)).toEqual(['a.csv', 'b.npy']);
      expect(loadPaths(b)).toEqual(['c.csv']);
    }
    expect(loadPaths('loss = (')).toEqual([]);
  });

  it('gives a copy: changing the list returned does not change the next answer', () => {
    const src = 'let X = load("a.csv")\nparam w ~ normal(0, 1)\nloss = w^2';
    loadPaths(src).push('x');
    expect(loadPaths(src)).toEqual(['a.csv']);
  });
});
