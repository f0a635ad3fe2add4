// Movement ops: reshape, broadcastTo and sumToShape (the one place broadcasting is undone), transpose/permute/swapAxes, slice/pad, gather/scatterAdd, concat/stack, expandDims/squeeze.
import { movementPrimitives } from '../primitives/movement.js';
import { reducePrimitives } from '../primitives/reduce.js';
import { formatShape, normalizeAxes, sameShape, ShapeError, type Shape } from '../shape.js';
import { apply, Tensor, tensor, toTensor, type TensorLike } from '../tensor.js';

export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  // -1 infers one axis, as in numpy
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = shape.map((d) => (d === -1 ? t.size / known : d));
  if (sameShape(resolved, t.shape)) return t;
  return apply(movementPrimitives.reshape, [t], { shape: resolved });
}

export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  if (sameShape(t.shape, shape)) return t;
  return apply(movementPrimitives.broadcastTo, [t], { shape: [...shape] });
}

/**
 * Undoes broadcasting: sums `g` (of a broadcast result's shape) down to `shape`. The engine calls
 * this for every input gradient; broadcastTo's derivative is this too.
 */
export function sumToShape(g: Tensor, shape: Shape, op = 'sumToShape'): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new ShapeError(op, `gradient of shape ${formatShape(g.shape)} cannot be summed to ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== g.shape[i]) {
      throw new ShapeError(op, `gradient of shape ${formatShape(g.shape)} does not match input shape ${formatShape(shape)}`);
    }
  }
  const summed = apply(reducePrimitives.sum, [g], { axes: normalizeAxes(op, axes, g.rank), keepDims: false });
  return reshape(summed, shape);
}

/** An axis of a tensor of `rank`, negative counting from the end; ShapeError naming `op` if out of range. */
function axisOf(op: string, axis: number, rank: number): number {
  return normalizeAxes(op, axis, rank)[0]!;
}

/**
 * Permutes the axes: output axis i is input axis perm[i] (negative entries count from the end).
 * @example permute(zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3]
 */
export function permute(x: TensorLike, perm: readonly number[]): Tensor {
  const t = toTensor(x);
  if (perm.length !== t.rank) {
    throw new ShapeError('transpose', `[${perm.join(', ')}] is not a permutation of the axes of ${formatShape(t.shape)}`);
  }
  const p = perm.map((a) => (Number.isInteger(a) && a < 0 ? a + t.rank : a));
  if (p.every((a, i) => a === i)) return t;
  return apply(movementPrimitives.transpose, [t], { perm: p });
}

/**
 * numpy's transpose: reverses all axes by default (a matrix's transpose), or permutes by `perm`.
 * @example transpose(tensor([[1, 2, 3]])).shape // [3, 1]
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x);
  return permute(t, perm ?? t.shape.map((_, i) => t.rank - 1 - i));
}

/** Exchanges two axes (negative axes count from the end). */
export function swapAxes(x: TensorLike, a: number, b: number): Tensor {
  const t = toTensor(x);
  const i = axisOf('swapAxes', a, t.rank);
  const j = axisOf('swapAxes', b, t.rank);
  const perm = t.shape.map((_, k) => (k === i ? j : k === j ? i : k));
  return permute(t, perm);
}

/** A Python slice bound: negative counts from the end, then clamped to [0, n]. */
function bound(b: number, n: number): number {
  return Math.min(n, Math.max(0, b < 0 ? b + n : b));
}

/**
 * x[begin[0]:end[0], begin[1]:end[1], ...] with step 1, as in numpy: negative bounds count from
 * the end, bounds are clamped, and axes past the given lists are taken whole (an undefined end
 * means "to the end").
 * @example slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [1]) // [[2, 3]]
 */
export function slice(x: TensorLike, begin: readonly number[], end: readonly (number | undefined)[] = []): Tensor {
  const t = toTensor(x);
  if (begin.length > t.rank || end.length > t.rank) {
    throw new ShapeError('slice', `[${begin.join(', ')}]:[${end.join(', ')}] has more axes than ${formatShape(t.shape)}`);
  }
  const bad = [...begin, ...end].find((b) => b !== undefined && !Number.isInteger(b));
  if (bad !== undefined) throw new ShapeError('slice', `bound ${bad} is not an integer`);
  const b = t.shape.map((n, i) => bound(begin[i] ?? 0, n));
  const e = t.shape.map((n, i) => Math.max(b[i]!, bound(end[i] ?? n, n)));
  if (b.every((v) => v === 0) && e.every((v, i) => v === t.shape[i])) return t;
  return apply(movementPrimitives.slice, [t], { begin: b, end: e });
}

/**
 * Pads with zeros: widths[i] = [before, after] for axis i (all axes must be given).
 * @example pad(tensor([1, 2]), [[1, 0]]) // [0, 1, 2]
 */
export function pad(x: TensorLike, widths: readonly (readonly [number, number])[]): Tensor {
  const t = toTensor(x);
  if (widths.length !== t.rank || widths.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) {
    throw new ShapeError('padSlice', `widths ${JSON.stringify(widths)} do not pad a tensor of shape ${formatShape(t.shape)}`);
  }
  if (widths.every(([a, b]) => a === 0 && b === 0)) return t;
  return apply(movementPrimitives.padSlice, [t], {
    shape: t.shape.map((d, i) => d + widths[i]![0] + widths[i]![1]),
    begin: widths.map(([a]) => a),
  });
}

function indexTensor(indices: TensorLike | readonly number[]): Tensor {
  return Array.isArray(indices) ? tensor(indices as readonly number[]) : toTensor(indices as TensorLike);
}

/**
 * Rows of `x` (along axis 0) picked by integer `indices` of any shape: the result has shape
 * indices.shape ++ x.shape[1:]. Indices carry no gradient; x's gradient sums over repeats.
 * @example gather(tensor([[1, 2], [3, 4]]), [1, 1, 0]) // [[3, 4], [3, 4], [1, 2]]
 */
export function gather(x: TensorLike, indices: TensorLike | readonly number[]): Tensor {
  return apply(movementPrimitives.gather, [toTensor(x), indexTensor(indices)], undefined);
}

/**
 * Zeros of shape [size, ...rest] with each row of `values` (shape indices.shape ++ rest) added at
 * its row index; repeated indices accumulate. The adjoint of gather.
 * @example scatterAdd(tensor([1, 2, 3]), [0, 2, 0], 3) // [4, 0, 2]
 */
export function scatterAdd(values: TensorLike, indices: TensorLike | readonly number[], size: number): Tensor {
  return apply(movementPrimitives.scatterAdd, [toTensor(values), indexTensor(indices)], { size });
}

/**
 * Joins tensors along an existing axis (default 0); the other axes must agree.
 * @example concat([tensor([1]), tensor([2, 3])]) // [1, 2, 3]
 */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  const ts = xs.map(toTensor);
  const first = ts[0];
  if (first === undefined) throw new ShapeError('concat', 'needs at least one tensor');
  if (ts.length === 1) {
    axisOf('concat', axis, first.rank);
    return first;
  }
  return apply(movementPrimitives.concat, ts, { axis: axisOf('concat', axis, first.rank) });
}

/** Inserts a length-1 axis at `axis` (in [-rank-1, rank], negative counting from the end). */
export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = toTensor(x);
  const a = axisOf('expandDims', axis, t.rank + 1);
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)]);
}

/** Removes length-1 axes: the given ones (each must have length 1), or all of them. */
export function squeeze(x: TensorLike, axes?: number | readonly number[]): Tensor {
  const t = toTensor(x);
  const drop = axes === undefined ? t.shape.map((_, i) => i).filter((i) => t.shape[i] === 1) : normalizeAxes('squeeze', axes, t.rank);
  for (const a of drop) {
    if (t.shape[a] !== 1) throw new ShapeError('squeeze', `axis ${a} of ${formatShape(t.shape)} has length ${t.shape[a]}, not 1`);
  }
  return reshape(t, t.shape.filter((_, i) => !drop.includes(i)));
}

/**
 * Stacks tensors of one shape along a new axis (default 0): expandDims then concat.
 * @example stack([tensor([1, 2]), tensor([3, 4])], 1) // [[1, 3], [2, 4]]
 */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  const ts = xs.map(toTensor);
  const first = ts[0];
  if (first === undefined) throw new ShapeError('stack', 'needs at least one tensor');
  const other = ts.find((t) => !sameShape(t.shape, first.shape));
  if (other !== undefined) {
    throw new ShapeError('stack', `shapes ${formatShape(first.shape)} and ${formatShape(other.shape)} differ`);
  }
  const a = axisOf('stack', axis, first.rank + 1);
  return concat(ts.map((t) => expandDims(t, a)), a);
}
