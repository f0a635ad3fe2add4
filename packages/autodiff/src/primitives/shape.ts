// Shape primitives that move elements: transpose, slice and its adjoint padSlice, gather/scatterAdd, concat (derivatives: derivatives/shape.ts).
import { checkIndex, stridedCopier } from '../kernels/copy.js';
import { definePrimitive, type Domain, type Primitive } from '../primitive.js';
import { formatShape, sameShape, ShapeError, sizeOf, stridesOf, type Shape } from '../shape.js';

export interface PermAttrs {
  /** Output axis i is input axis perm[i]. */
  readonly perm: readonly number[];
}
export interface SliceAttrs {
  /** Per axis, normalized: 0 <= begin <= end <= length. */
  readonly begin: readonly number[];
  readonly end: readonly number[];
}
export interface PadSliceAttrs {
  /** The output shape, and where the input's first element lands in it. */
  readonly shape: Shape;
  readonly begin: readonly number[];
}
export interface ScatterAttrs {
  /** Length of the output's first axis (the number of rows indices refer to). */
  readonly size: number;
}
export interface ConcatAttrs {
  readonly axis: number;
}

const anywhere: Domain = { lo: -3, hi: 3 };
/** Indices for gather/scatterAdd checks: every checked case has at least 3 rows. */
const rowIndex: Domain = { lo: 0, hi: 3, integer: true };

function offsetOf(begin: readonly number[], strides: readonly number[]): number {
  return begin.reduce((acc, b, i) => acc + b * strides[i]!, 0);
}

function isPermutation(perm: readonly number[], rank: number): boolean {
  return perm.length === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank) && new Set(perm).size === rank;
}

/** Row gathers: out row k = x row indices[k] (rows of `row` elements). */
function gatherRows(x: Float64Array, idx: Float64Array, out: Float64Array, rows: number, row: number): void {
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    checkIndex('gather', i, rows);
    const s = i * row;
    const d = k * row;
    for (let j = 0; j < row; j++) out[d + j] = x[s + j]!;
  }
}

export const shapePrimitives = {
  /** Permutes axes (numpy transpose with explicit axes). */
  transpose: definePrimitive<PermAttrs>({
    name: 'transpose',
    arity: 1,
    shape: ([x], { perm }) => {
      if (!isPermutation(perm, x!.length)) {
        throw new ShapeError('transpose', `[${perm.join(', ')}] is not a permutation of the axes of ${formatShape(x!)}`);
      }
      return perm.map((p) => x![p]!);
    },
    prepare: ([x], out, { perm }) => {
      const strides = stridesOf(x!);
      const copy = stridedCopier(out, perm.map((p) => strides[p]!), stridesOf(out));
      return (inputs, o) => copy(inputs[0]!, 0, o, 0);
    },
    check: {
      cases: [
        { shapes: [[5]], attrs: { perm: [0] } },
        { shapes: [[3, 4]], attrs: { perm: [1, 0] } },
        { shapes: [[2, 3, 4]], attrs: { perm: [2, 0, 1] } },
        { shapes: [[2, 3, 4]], attrs: { perm: [0, 2, 1] } },
        { shapes: [[2, 1, 3]], attrs: { perm: [1, 2, 0] } },
        { shapes: [[]], attrs: { perm: [] } },
      ],
      domain: anywhere,
    },
  }),
  /** x[begin0:end0, begin1:end1, ...] with step 1. */
  slice: definePrimitive<SliceAttrs>({
    name: 'slice',
    arity: 1,
    shape: ([x], { begin, end }) => {
      const ok =
        begin.length === x!.length &&
        end.length === x!.length &&
        x!.every((d, i) => Number.isInteger(begin[i]) && Number.isInteger(end[i]) && 0 <= begin[i]! && begin[i]! <= end[i]! && end[i]! <= d);
      if (!ok) throw new ShapeError('slice', `[${begin.join(', ')}]:[${end.join(', ')}] is not a slice of ${formatShape(x!)}`);
      return end.map((e, i) => e - begin[i]!);
    },
    prepare: ([x], out, { begin }) => {
      const strides = stridesOf(x!);
      const offset = offsetOf(begin, strides);
      const copy = stridedCopier(out, strides, stridesOf(out));
      return (inputs, o) => copy(inputs[0]!, offset, o, 0);
    },
    check: {
      cases: [
        { shapes: [[5]], attrs: { begin: [1], end: [4] } },
        { shapes: [[3, 4]], attrs: { begin: [1, 0], end: [3, 4] } },
        { shapes: [[3, 4]], attrs: { begin: [0, 1], end: [2, 3] } },
        { shapes: [[2, 3, 4]], attrs: { begin: [1, 0, 2], end: [2, 3, 4] } },
        { shapes: [[3]], attrs: { begin: [2], end: [2] } },
        { shapes: [[]], attrs: { begin: [], end: [] } },
      ],
      domain: anywhere,
    },
  }),
  /** Zeros of `shape` with the input written at `begin`: the adjoint of slice (and a zero pad). */
  padSlice: definePrimitive<PadSliceAttrs>({
    name: 'padSlice',
    arity: 1,
    shape: ([x], { shape, begin }) => {
      const ok =
        shape.length === x!.length &&
        begin.length === x!.length &&
        x!.every((d, i) => Number.isInteger(begin[i]) && begin[i]! >= 0 && begin[i]! + d <= shape[i]!);
      if (!ok) {
        throw new ShapeError('padSlice', `cannot place ${formatShape(x!)} at [${begin.join(', ')}] in ${formatShape(shape)}`);
      }
      return shape;
    },
    prepare: ([x], out, { begin }) => {
      const strides = stridesOf(out);
      const offset = offsetOf(begin, strides);
      const copy = stridedCopier(x!, stridesOf(x!), strides);
      return (inputs, o) => {
        o.fill(0);
        copy(inputs[0]!, 0, o, offset);
      };
    },
    check: {
      cases: [
        { shapes: [[3]], attrs: { shape: [5], begin: [1] } },
        { shapes: [[2, 3]], attrs: { shape: [4, 3], begin: [2, 0] } },
        { shapes: [[2, 2]], attrs: { shape: [3, 4], begin: [1, 1] } },
        { shapes: [[1, 2, 3]], attrs: { shape: [2, 3, 4], begin: [1, 0, 1] } },
        { shapes: [[0]], attrs: { shape: [2], begin: [1] } },
      ],
      domain: anywhere,
    },
  }),
  /** Rows of x picked by integer indices (stored as floats): output indices.shape ++ x.shape[1:]. */
  gather: definePrimitive<undefined>({
    name: 'gather',
    arity: 2,
    nondiff: [1],
    shape: ([x, indices]) => {
      if (x!.length === 0) throw new ShapeError('gather', 'cannot gather rows from a scalar');
      return [...indices!, ...x!.slice(1)];
    },
    prepare: ([x]) => {
      const rows = x![0]!;
      const row = sizeOf(x!.slice(1));
      return (inputs, out) => gatherRows(inputs[0]!, inputs[1]!, out, rows, row);
    },
    check: {
      cases: [
        { shapes: [[4], [3]], attrs: undefined },
        { shapes: [[4, 3], [5]], attrs: undefined },
        { shapes: [[3, 2, 2], [2, 2]], attrs: undefined },
        { shapes: [[3, 2], []], attrs: undefined },
      ],
      domain: [anywhere, rowIndex],
    },
  }),
  /**
   * Zeros of shape [size, ...rest] with row values[k] added at row indices[k] (values shape
   * indices.shape ++ rest); repeated indices accumulate. The adjoint of gather.
   */
  scatterAdd: definePrimitive<ScatterAttrs>({
    name: 'scatterAdd',
    arity: 2,
    nondiff: [1],
    shape: ([values, indices], { size }) => {
      const k = indices!.length;
      if (!Number.isInteger(size) || size < 0) throw new ShapeError('scatterAdd', `size ${size} is not a length`);
      if (values!.length < k || !sameShape(values!.slice(0, k), indices!)) {
        throw new ShapeError('scatterAdd', `values of shape ${formatShape(values!)} do not start with the indices' shape ${formatShape(indices!)}`);
      }
      return [size, ...values!.slice(k)];
    },
    prepare: ([values, indices], _out, { size }) => {
      const row = sizeOf(values!.slice(indices!.length));
      return (inputs, out) => {
        const v = inputs[0]!;
        const idx = inputs[1]!;
        out.fill(0);
        for (let k = 0; k < idx.length; k++) {
          const i = idx[k]!;
          checkIndex('scatterAdd', i, size);
          const d = i * row;
          const s = k * row;
          for (let j = 0; j < row; j++) out[d + j]! += v[s + j]!;
        }
      };
    },
    check: {
      cases: [
        { shapes: [[5], [5]], attrs: { size: 3 } },
        { shapes: [[4, 2], [4]], attrs: { size: 3 } },
        { shapes: [[2, 2, 3], [2, 2]], attrs: { size: 4 } },
        { shapes: [[2], []], attrs: { size: 3 } },
      ],
      domain: [anywhere, rowIndex],
    },
  }),
  /** Joins tensors along an existing axis; all other axes must agree. */
  concat: definePrimitive<ConcatAttrs>({
    name: 'concat',
    arity: -1,
    shape: (inputs, { axis }) => {
      const first = inputs[0];
      if (first === undefined) throw new ShapeError('concat', 'needs at least one tensor');
      if (!Number.isInteger(axis) || axis < 0 || axis >= first.length) {
        throw new ShapeError('concat', `axis ${axis} is out of range for tensors of rank ${first.length}`);
      }
      let total = 0;
      for (const s of inputs) {
        if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
          throw new ShapeError('concat', `shapes ${inputs.map(formatShape).join(', ')} differ outside axis ${axis}`);
        }
        total += s[axis]!;
      }
      return first.map((d, i) => (i === axis ? total : d));
    },
    prepare: (inputs, out, { axis }) => {
      // each of O outer blocks of the output is the inputs' blocks side by side
      const O = sizeOf(out.slice(0, axis));
      const inner = sizeOf(out.slice(axis + 1));
      const blocks = inputs.map((s) => s[axis]! * inner);
      const B = out[axis]! * inner;
      return (xs, o) => {
        let start = 0;
        for (let t = 0; t < xs.length; t++) {
          const x = xs[t]!;
          const b = blocks[t]!;
          for (let k = 0; k < O; k++) {
            const s = k * b;
            const d = k * B + start;
            for (let j = 0; j < b; j++) o[d + j] = x[s + j]!;
          }
          start += b;
        }
      };
    },
    check: {
      cases: [
        { shapes: [[4]], attrs: { axis: 0 } },
        { shapes: [[2], [3]], attrs: { axis: 0 } },
        { shapes: [[2, 3], [2, 1], [2, 2]], attrs: { axis: 1 } },
        { shapes: [[1, 3], [2, 3]], attrs: { axis: 0 } },
        { shapes: [[2, 2, 3], [2, 1, 3]], attrs: { axis: 1 } },
        { shapes: [[2, 0], [2, 2]], attrs: { axis: 1 } },
      ],
      domain: anywhere,
    },
  }),
} satisfies Record<string, Primitive<PermAttrs> | Primitive<SliceAttrs> | Primitive<PadSliceAttrs> | Primitive<undefined> | Primitive<ScatterAttrs> | Primitive<ConcatAttrs>>;
