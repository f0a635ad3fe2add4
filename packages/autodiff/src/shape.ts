// Shapes: sizes, row-major strides, numpy broadcasting and axis normalization.

/** A tensor's shape: the length of each axis, outermost first. `[]` is a scalar. */
export type Shape = readonly number[];

/** A shape problem found while building a graph; `op` names the operation that raised it. */
export class ShapeError extends Error {
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = 'ShapeError';
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** numpy broadcasting of any number of shapes; throws ShapeError naming `op` when they clash. */
export function broadcastShapes(op: string, shapes: readonly Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const offset = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[offset + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[offset + i] = d;
      else throw new ShapeError(op, `shapes ${shapes.map(formatShape).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `target` (0 on broadcast axes), in target's rank. */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) out[offset + i] = shape[i] === 1 ? 0 : own[i]!;
  return out;
}

/** Normalizes possibly negative axes against `rank`, sorted and unique; undefined means all axes. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new ShapeError(op, `axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

/** The shape left after reducing `axes` (kept as 1 when keepDims). */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Offsets of every element of the sub-grid spanned by `axes` of `shape`, row-major (a reduction's inner loop). */
export function subgridOffsets(shape: Shape, axes: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const sizes = axes.map((a) => shape[a]!);
  const total = sizeOf(sizes);
  const out = new Int32Array(total);
  const idx = new Array<number>(axes.length).fill(0);
  for (let k = 0; k < total; k++) {
    let off = 0;
    for (let j = 0; j < axes.length; j++) off += idx[j]! * strides[axes[j]!]!;
    out[k] = off;
    for (let j = axes.length - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < sizes[j]!) break;
      idx[j] = 0;
    }
  }
  return out;
}
