// Tensors people can look at: numpy-style text with elision, clone, toArray, util.inspect.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compile, mul, placeholder, tensor, zeros, type Tensor } from '@descent/autodiff';

describe('printing tensors', () => {
  it('aligns columns and nests rows like numpy', () => {
    expect(String(tensor([[1, 2.5], [3, 4]]))).toBe('tensor([[  1, 2.5],\n        [  3,   4]])');
    expect(String(tensor(2))).toBe('tensor(2)');
    expect(String(tensor([1e-9, 1, 1e20]))).toBe('tensor([ 1e-9,     1, 1e+20])');
    expect(String(tensor([NaN, Infinity, -0.5]))).toBe('tensor([     NaN, Infinity,     -0.5])');
  });

  it('elides long axes past 1000 elements: a million zeros print in a few lines', () => {
    const text = String(zeros([1000, 1000]));
    expect(text.length).toBeLessThan(300);
    expect(text.split('\n')).toHaveLength(7);
    expect(text).toContain('...');
    expect(text.endsWith(', shape [1000, 1000])')).toBe(true);
    expect(String(zeros([20, 5]))).not.toContain('...'); // 100 elements: all shown
  });

  it('console.log and util.inspect show the same text, not internal fields', () => {
    const t = tensor([1, 2, 3]);
    expect(inspect(t)).toBe('tensor([1, 2, 3])');
    expect(inspect(t)).not.toContain('prim');
    expect(String(placeholder([2, 3], 'x'))).toBe('tensor(symbolic, shape [2, 3], x)');
  });

  it('precision and threshold are options', () => {
    expect(tensor([Math.PI]).toString({ precision: 3 })).toBe('tensor([3.14])');
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8]).toString({ threshold: 4, edgeItems: 2 })).toBe('tensor([1, 2, ..., 7, 8], shape [8])');
  });
});

describe('clone and toArray', () => {
  it("clone keeps a compiled plan's output past the next run, which overwrites the buffer", () => {
    const plan = compile((x: Tensor) => [mul(x, 2)], [[2]]);
    const first = plan.run([tensor([1, 2])])[0]!;
    const kept = first.clone();
    plan.run([tensor([5, 6])]);
    expect(first.toArray()).toEqual([10, 12]); // the reused buffer
    expect(kept.toArray()).toEqual([2, 4]);
  });
});
