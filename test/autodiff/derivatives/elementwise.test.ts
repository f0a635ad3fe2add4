// where(c, a, b) passes no NaN or infinity from the side not taken into gradients, at any order.
import { describe, expect, it } from 'vitest';
import { div, gt, grad, le, mul, ne, sqrt, sum, tensor, where, type Tensor } from '@descent/autodiff';

const at = (f: (w: Tensor) => Tensor, ...ws: number[]): number[] => Array.from(grad((w: Tensor) => sum(f(w)))(tensor(ws)).data);

describe('where: the untaken side does not reach the gradient', () => {
  it('where(w > 0, w / w, 0) at w = 0 has gradient 0, not NaN (and 0 elsewhere too)', () => {
    expect(at((w) => where(gt(w, 0), div(w, w), 0), 0, 2, -1)).toEqual([0, 0, 0]);
  });

  it('where(w != 0, sqrt(w), 0) at w = 0 has gradient 0, not infinity; 1/(2 sqrt w) where taken', () => {
    const g = at((w) => where(ne(w, 0), sqrt(w), 0), 0, 4);
    expect(g[0]).toBe(0);
    expect(g[1]).toBeCloseTo(0.25, 15);
  });

  it('the other side (b untaken) and a side that uses w twice', () => {
    // where(w <= 0, 7, sqrt(w) * sqrt(w)): at 0 the product rule on sqrt gives 0 * inf
    const g = at((w) => where(le(w, 0), 7, mul(sqrt(w), sqrt(w))), 0, 4, -3);
    expect(g[0]).toBe(0);
    expect(g[1]).toBeCloseTo(1, 14);
    expect(g[2]).toBe(0);
  });

  it('grad of grad stays finite and correct: d²/dw² of where(w > 0, w³ / w, 0)', () => {
    const f = (w: Tensor): Tensor => sum(where(gt(w, 0), div(mul(mul(w, w), w), w), 0));
    const second = grad((w: Tensor) => sum(grad(f)(w)));
    expect(Array.from(second(tensor([0, 1.5, -2])).data)).toEqual([0, 2, 0]);
    // the first derivative too: 2w where taken
    expect(Array.from(grad(f)(tensor([0, 1.5, -2])).data)).toEqual([0, 3, 0]);
  });

  it('nested where: the inner mask is combined with the outer one', () => {
    const g = at((w) => where(gt(w, -1), where(ne(w, 0), div(w, w), 5), 0), 0, 0.5, -3);
    expect(g).toEqual([0, 0, 0]);
  });
});
