// Values during lowering: a tensor whose leading axes are named index variables (and the draw axis).
import {
  broadcastShapes, broadcastTo, formatShape, permute, reshape, sameShape, ShapeError, type Shape, type Tensor,
} from '@descent/autodiff';

/** The name of the draw axis that random values carry (never a valid identifier). */
export const DRAW = '@draw';

/**
 * A lowered value. Its tensor has shape [...sizes of `index`, ...shape]: the leading axes are
 * named (free index variables such as `i` in `w[i]`, and DRAW for random values), the trailing
 * axes are the positional shape the language talks about.
 */
export interface Val {
  readonly t: Tensor;
  readonly index: readonly string[];
  readonly shape: Shape;
}

export function val(t: Tensor, index: readonly string[] = []): Val {
  return { t, index, shape: t.shape.slice(index.length) };
}

/** The number held by a constant scalar value, or undefined. */
export function constantNumber(v: Val): number | undefined {
  if (v.index.length > 0 || v.t.size !== 1 || v.t.symbolic || v.t.tracked) return undefined;
  return v.t.data[0];
}

export function isRandom(v: Val): boolean {
  return v.index.includes(DRAW);
}

/** Size of each named axis of a value. */
export function indexSizes(v: Val): Map<string, number> {
  return new Map(v.index.map((name, k) => [name, v.t.shape[k]!]));
}

/** Union of index names: the draw axis first, then in order of first appearance. */
export function unionIndex(vals: readonly Val[]): string[] {
  const names: string[] = [];
  for (const v of vals) for (const n of v.index) if (!names.includes(n)) names.push(n);
  return names.includes(DRAW) ? [DRAW, ...names.filter((n) => n !== DRAW)] : names;
}

/**
 * Lays `v` out for `index` (a superset of its own) and positional rank `rank`: its named axes are
 * permuted into that order, absent ones become size-1 axes, and the positional shape is padded
 * with leading 1s. numpy broadcasting of two laid-out tensors then matches names to names.
 */
export function layout(v: Val, index: readonly string[], rank: number): Tensor {
  const present = index.filter((n) => v.index.includes(n));
  let t = v.t;
  const order = present.map((n) => v.index.indexOf(n));
  if (order.some((k, i) => k !== i)) {
    t = permute(t, [...order, ...v.shape.map((_, j) => v.index.length + j)]);
  }
  const sizes = new Map(v.index.map((n, k) => [n, v.t.shape[k]!]));
  const shape = [
    ...index.map((n) => sizes.get(n) ?? 1),
    ...new Array<number>(rank - v.shape.length).fill(1),
    ...v.shape,
  ];
  return reshape(t, shape);
}

/** Index sizes agree across values; throws ShapeError naming the variable otherwise. */
export function checkIndexSizes(vals: readonly Val[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const v of vals) {
    for (const [n, s] of indexSizes(v)) {
      const prev = sizes.get(n);
      if (prev !== undefined && prev !== s) {
        throw new ShapeError('index', `index ${n} ranges over ${prev} values in one place and ${s} in another`);
      }
      sizes.set(n, s);
    }
  }
  return sizes;
}

/**
 * Applies an elementwise tensor op to values with index broadcasting: named axes match by name,
 * positional axes broadcast as in numpy.
 */
export function zipWith(vals: readonly Val[], op: (ts: Tensor[]) => Tensor): Val {
  // the common case first (each term of a long sum): no named axes, one shape
  const first = vals[0];
  if (first !== undefined && vals.every((v) => v.index.length === 0 && sameShape(v.shape, first.shape))) {
    return val(op(vals.map((v) => v.t)));
  }
  checkIndexSizes(vals);
  // name the shapes the way the language sees them (positional shape, over which indices)
  try {
    broadcastShapes('values', vals.map((v) => v.shape));
  } catch {
    throw new ShapeError('values', `${vals.map(describe).join(' and ')} do not broadcast`);
  }
  const index = unionIndex(vals);
  const rank = Math.max(0, ...vals.map((v) => v.shape.length));
  if (vals.every((v) => v.index.length === index.length && v.index.every((n, k) => n === index[k]))) {
    return val(op(vals.map((v) => v.t)), index);
  }
  return val(op(vals.map((v) => layout(v, index, rank))), index);
}

/** A value broadcast to carry extra named axes (used where an op needs them explicitly). */
export function expandTo(v: Val, index: readonly string[], sizes: ReadonlyMap<string, number>): Val {
  const t = layout(v, index, v.shape.length);
  const full = [...index.map((n) => sizes.get(n)!), ...v.shape];
  return val(broadcastTo(t, full), index);
}

/** Axis numbers (in the tensor) of the given names. */
export function axesOf(v: Val, names: readonly string[]): number[] {
  return names.map((n) => {
    const k = v.index.indexOf(n);
    if (k < 0) throw new ShapeError('index', `${n} is not an index of this value`);
    return k;
  });
}

/** Axis numbers of the positional axes from `first` (negative counts from the end) onwards. */
export function positionalAxes(v: Val, first = 0): number[] {
  const rank = v.shape.length;
  const start = first < 0 ? rank + first : first;
  return Array.from({ length: rank - start }, (_, j) => v.index.length + start + j);
}

export function describe(v: Val): string {
  const idx = v.index.filter((n) => n !== DRAW);
  return `${formatShape(v.shape)}${idx.length ? ` over ${idx.join(', ')}` : ''}${isRandom(v) ? ' (random)' : ''}`;
}
