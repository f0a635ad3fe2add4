// Forward values of the reductions, softmax and shape ops against hand-computed results, and their shape errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compile, concat, expandDims, gather, grad, logSoftmax, logsumexp, max, mean, min, pad, permute, prod, Random,
  scatterAdd, ShapeError, sizeOf, slice, softmax, squeeze, stack, sum, swapAxes, tensor, transpose,
  type Shape, type Tensor,
} from '@descent/autodiff';

/** Elementwise closeness; infinities must match exactly. */
const close = (t: Tensor, expected: ArrayLike<number>, digits = 12): void => {
  expect(t.data.length).toBe(expected.length);
  t.data.forEach((v, i) => {
    if (Number.isFinite(expected[i]!)) expect(v).toBeCloseTo(expected[i]!, digits);
    else expect(v).toBe(expected[i]);
  });
};

const m23 = (): Tensor => tensor([[1, -2, 3], [4, 5, -6]]);

describe('reductions', () => {
  it('sum, mean, max, min, prod over all axes, one axis and negative axes', () => {
    close(sum(m23()), [5]);
    close(mean(m23()), [5 / 6]);
    close(max(m23()), [5]);
    close(min(m23()), [-6]);
    close(prod(m23()), [720]);
    close(mean(m23(), 0), [2.5, 1.5, -1.5]);
    close(max(m23(), -1), [3, 5]);
    close(min(m23(), 1), [-2, -6]);
    close(prod(m23(), -2), [4, -10, -18]);
    expect(max(m23(), -1).shape).toEqual([2]);
  });

  it('keepDims keeps reduced axes with length 1', () => {
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const s = mean(x, [0, 2], { keepDims: true });
    expect(s.shape).toEqual([1, 2, 1]);
    close(s, [3.5, 5.5]);
    expect(max(x, undefined, { keepDims: true }).shape).toEqual([1, 1, 1]);
    expect(logsumexp(x, -1, { keepDims: true }).shape).toEqual([2, 2, 1]);
  });

  it('logsumexp is stable: [1000, 1000] gives 1000 + log 2 and gradient [0.5, 0.5]', () => {
    const x = tensor([1000, 1000]);
    close(logsumexp(x), [1000 + Math.log(2)]);
    close(grad((v: Tensor) => logsumexp(v))(x), [0.5, 0.5]);
    close(logsumexp(tensor([-1000, -1000])), [-1000 + Math.log(2)]);
    close(logsumexp(tensor([[0, Math.log(3)], [1, 1]]), 1), [Math.log(4), 1 + Math.log(2)]);
  });

  it('logsumexp of all -inf is -inf with a zero gradient; +inf gives +inf', () => {
    const x = tensor([-Infinity, -Infinity]);
    close(logsumexp(x), [-Infinity]);
    close(grad((v: Tensor) => logsumexp(v))(x), [0, 0]);
    close(logsumexp(tensor([1, Infinity])), [Infinity]);
    close(logsumexp(tensor([[-Infinity, 0], [-Infinity, -Infinity]]), 1), [0, -Infinity]);
  });

  it('max and min propagate NaN and split the gradient among ties', () => {
    expect(max(tensor([1, NaN, 3])).item()).toBeNaN();
    expect(min(tensor([NaN, 1])).item()).toBeNaN();
    close(grad((v: Tensor) => max(v))(tensor([2, 1, 2])), [0.5, 0, 0.5]);
    close(grad((v: Tensor) => sum(min(v, 0)))(tensor([[1, 5], [3, 0]])), [1, 0, 0, 1]);
  });

  it('empty reductions give the identity of their fold', () => {
    const e = tensor(new Float64Array(0), [0, 2]);
    close(sum(e, 0), [0, 0]);
    close(prod(e, 0), [1, 1]);
    close(max(e, 0), [-Infinity, -Infinity]);
    close(logsumexp(e, 0), [-Infinity, -Infinity]);
  });

  // the kernel has three layouts (trailing, leading-then-kept, scattered axes): compare all with a naive fold
  it('every axis pattern agrees with a naive reduction', () => {
    const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(dims, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 1e6 }), (shape, pick, seed) => {
        const axes = shape.map((_, i) => i).filter((i) => pick[i]);
        const x = tensor(new Random(seed).fillNormal(new Float64Array(sizeOf(shape))), shape);
        const expectSame = (t: Tensor, f: (vs: number[]) => number): void => close(t, naiveReduce(x, axes, f), 10);
        expectSame(sum(x, axes), (vs) => vs.reduce((a, b) => a + b, 0));
        expectSame(max(x, axes), (vs) => Math.max(...vs));
        expectSame(prod(x, axes), (vs) => vs.reduce((a, b) => a * b, 1));
        expectSame(logsumexp(x, axes), (vs) => Math.log(vs.reduce((a, b) => a + Math.exp(b), 0)));
      }),
      { numRuns: 60 },
    );
  });
});

/** Reduces `axes` of x by collecting each output's elements and applying f. */
function naiveReduce(x: Tensor, axes: readonly number[], f: (vs: number[]) => number): number[] {
  const groups = new Map<string, number[]>();
  const idx = new Array<number>(x.rank).fill(0);
  for (let k = 0; k < x.size; k++) {
    const key = idx.filter((_, i) => !axes.includes(i)).join(',');
    groups.set(key, [...(groups.get(key) ?? []), x.data[k]!]);
    for (let a = x.rank - 1; a >= 0; a--) {
      if (++idx[a]! < x.shape[a]!) break;
      idx[a] = 0;
    }
  }
  return [...groups.values()].map(f);
}

describe('softmax and logSoftmax', () => {
  it('normalizes along the last axis by default, and along any axis', () => {
    close(softmax(tensor([[1, 1], [0, Math.log(3)]])), [0.5, 0.5, 0.25, 0.75]);
    close(softmax(tensor([[0, 1], [0, 1]]), 0), [0.5, 0.5, 0.5, 0.5]);
    close(logSoftmax(tensor([0, Math.log(3)])), [Math.log(0.25), Math.log(0.75)]);
    close(softmax(tensor([1000, 1000, -Infinity])), [0.5, 0.5, 0]);
    close(logSoftmax(tensor([1000, 1000])), [-Math.log(2), -Math.log(2)]);
  });

  it('agrees with exp(x - logsumexp) on a rank-3 tensor for each axis', () => {
    const x = tensor(new Random(7).fillNormal(new Float64Array(24)), [2, 3, 4]);
    for (const axis of [0, 1, 2, -1]) {
      const lse = logsumexp(x, axis, { keepDims: true });
      const expected = x.data.map((v, i) => v - lse.data[bcastIndex(x.shape, axis, i)]!);
      close(logSoftmax(x, axis), expected);
      close(softmax(x, axis), expected.map(Math.exp));
    }
  });
});

/** The index into a keepDims-reduced tensor of element i of a tensor of `shape`. */
function bcastIndex(shape: Shape, axis: number, i: number): number {
  const a = axis < 0 ? axis + shape.length : axis;
  const inner = sizeOf(shape.slice(a + 1));
  return Math.floor(i / (inner * shape[a]!)) * inner + (i % inner);
}

describe('shape ops', () => {
  it('transpose reverses axes by default; permute and swapAxes move them', () => {
    const x = tensor([[[0, 1, 2], [3, 4, 5]]]); // [1, 2, 3]
    const t = transpose(x);
    expect(t.shape).toEqual([3, 2, 1]);
    close(t, [0, 3, 1, 4, 2, 5]);
    close(transpose(m23()), [1, 4, -2, 5, 3, -6]);
    expect(permute(x, [2, 0, 1]).shape).toEqual([3, 1, 2]);
    close(permute(x, [2, 0, -2]), [0, 3, 1, 4, 2, 5]);
    expect(swapAxes(x, 0, -1).shape).toEqual([3, 2, 1]);
    close(swapAxes(x, 0, -1), [0, 3, 1, 4, 2, 5]);
  });

  it('large and batched transposes (tiled copies) match an index formula', () => {
    const x = tensor(Float64Array.from({ length: 3 * 40 * 50 }, (_, i) => i), [3, 40, 50]);
    const t = swapAxes(x, 1, 2);
    expect(t.shape).toEqual([3, 50, 40]);
    expect(t.data.every((v, k) => v === Math.floor(k / 2000) * 2000 + (k % 40) * 50 + Math.floor((k % 2000) / 40))).toBe(true);
    const r = permute(x, [2, 0, 1]); // [50, 3, 40]: output (c, a, b) is x[a, b, c]
    expect(r.data.every((v, k) => v === Math.floor((k % 120) / 40) * 2000 + (k % 40) * 50 + Math.floor(k / 120))).toBe(true);
  });

  it('slice takes numpy-style bounds, negative and clamped', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    close(slice(x, [0, 1], [1]), [2, 3]);
    close(slice(x, [-1]), [4, 5, 6]);
    close(slice(x, [0, -2], [2, -1]), [2, 5]);
    expect(slice(x, [0, 5]).shape).toEqual([2, 0]);
    close(slice(x, [1, 0], [2, undefined]), [4, 5, 6]);
  });

  it('pad is slice adjoint: zeros around the input', () => {
    close(pad(tensor([1, 2]), [[1, 2]]), [0, 1, 2, 0, 0]);
    close(pad(tensor([[1], [2]]), [[0, 1], [1, 0]]), [0, 1, 0, 2, 0, 0]);
    close(grad((v: Tensor) => sum(slice(v, [1], [3])))(tensor([5, 6, 7, 8])), [0, 1, 1, 0]);
  });

  it('gather picks rows; repeated indices accumulate in the gradient and in scatterAdd', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const g = gather(x, [2, 0, 2]);
    expect(g.shape).toEqual([3, 2]);
    close(g, [5, 6, 1, 2, 5, 6]);
    expect(gather(x, tensor([[1, 1], [0, 2]])).shape).toEqual([2, 2, 2]);
    close(gather(tensor([7, 8, 9]), tensor(2)), [9]);
    close(grad((v: Tensor) => sum(gather(v, [2, 0, 2])))(x), [1, 1, 0, 0, 2, 2]);
    close(scatterAdd(tensor([1, 2, 3]), [0, 2, 0], 3), [4, 0, 2]);
    close(scatterAdd(tensor([[1, 1], [2, 2]]), [1, 1], 2), [0, 0, 3, 3]);
  });

  it('gather rejects indices out of range or fractional', () => {
    expect(() => gather(tensor([1, 2]), [2])).toThrow(/gather: index 2/);
    expect(() => gather(tensor([1, 2]), [0.5])).toThrow(/gather/);
    expect(() => scatterAdd(tensor([1]), [-1], 2)).toThrow(/scatterAdd/);
  });

  it('concat joins along an axis; stack adds one', () => {
    close(concat([tensor([1]), tensor([2, 3])]), [1, 2, 3]);
    const c = concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], -1);
    expect(c.shape).toEqual([2, 3]);
    close(c, [1, 3, 4, 2, 5, 6]);
    const s = stack([tensor([1, 2]), tensor([3, 4])], 1);
    expect(s.shape).toEqual([2, 2]);
    close(s, [1, 3, 2, 4]);
    expect(stack([tensor(1), tensor(2), tensor(3)]).shape).toEqual([3]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], -1).shape).toEqual([2, 2]);
    const [ga, gb] = [0, 1].map((k) => grad((a: Tensor, b: Tensor) => sum(tripled(concat([a, b]))), k)(tensor([1]), tensor([2, 3])));
    close(ga!, [3]);
    close(gb!, [3, 3]);
  });

  it('expandDims and squeeze reshape', () => {
    expect(expandDims(m23(), 1).shape).toEqual([2, 1, 3]);
    expect(expandDims(m23(), -1).shape).toEqual([2, 3, 1]);
    expect(squeeze(tensor([[[1], [2]]])).shape).toEqual([2]);
    expect(squeeze(tensor([[[1], [2]]]), -1).shape).toEqual([1, 2]);
  });

  it('compiled plans run the shape ops again and again', () => {
    const plan = compile((x: Tensor) => [softmax(transpose(x)), concat([slice(x, [1]), gather(x, [0])])], [[2, 3]]);
    const [a, b] = plan.run([tensor([[1, 2, 3], [4, 5, 6]])]);
    close(a!, softmax(tensor([[1, 4], [2, 5], [3, 6]])).data);
    close(b!, [4, 5, 6, 1, 2, 3]);
  });
});

/** t three times over: each element's gradient through a sum is 3. */
function tripled(t: Tensor): Tensor {
  return concat([t, t, t]);
}

describe('shape errors name the op', () => {
  const x = m23();
  it.each([
    ['sum', () => sum(x, 2)],
    ['mean', () => mean(x, -3)],
    ['max', () => max(x, [0, 5])],
    ['logsumexp', () => logsumexp(x, 1.5)],
    ['softmax', () => softmax(tensor(1))],
    ['logSoftmax', () => logSoftmax(x, 2)],
    ['transpose', () => transpose(x, [0, 0])],
    ['transpose', () => permute(x, [0])],
    ['swapAxes', () => swapAxes(x, 0, 2)],
    ['slice', () => slice(x, [0, 0, 0])],
    ['slice', () => slice(x, [0.5])],
    ['padSlice', () => pad(x, [[1, 1]])],
    ['gather', () => gather(tensor(3), [0])],
    ['scatterAdd', () => scatterAdd(tensor([1, 2]), [0, 1, 2], 3)],
    ['concat', () => concat([x, tensor([1, 2])])],
    ['concat', () => concat([x, x], 2)],
    ['concat', () => concat([])],
    ['stack', () => stack([x, tensor([1, 2])])],
    ['stack', () => stack([x], 3)],
    ['expandDims', () => expandDims(x, 3)],
    ['squeeze', () => squeeze(x, 0)],
  ] as const)('%s', (op, f) => {
    let error: unknown;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as ShapeError).op).toBe(op);
    expect((error as ShapeError).message.startsWith(`${op}:`)).toBe(true);
  });
});
