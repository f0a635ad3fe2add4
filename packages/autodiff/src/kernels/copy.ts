// Strided block copies for the shape primitives (transpose, slice, pad, concat) and row gathers.
import { sizeOf, type Shape } from '../shape.js';

/** Copies a block from `src` to `dst`, each read at an offset through its own strides. */
export type Copier = (src: Float64Array, srcOffset: number, dst: Float64Array, dstOffset: number) => void;

/** Transposes in square tiles of this side, so both sides stay in cache. */
const TILE = 32;

/**
 * Simplifies a strided block: drops length-1 axes and merges neighbouring axes that are
 * contiguous in both source and destination (a slice of whole rows becomes one run).
 */
function simplify(shape: Shape, src: readonly number[], dst: readonly number[]): { dims: number[]; ss: number[]; ds: number[] } {
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && ss[k] === src[i]! * d && ds[k] === dst[i]! * d) {
      dims[k]! *= d;
      ss[k] = src[i]!;
      ds[k] = dst[i]!;
    } else {
      dims.push(d);
      ss.push(src[i]!);
      ds.push(dst[i]!);
    }
  }
  return { dims, ss, ds };
}

/** 2-D transpose-like copy (rows × cols with arbitrary strides), tile by tile. */
function tiled(rows: number, cols: number, sr: number, sc: number, dr: number, dc: number, src: Float64Array, so: number, dst: Float64Array, dO: number): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        let a = so + i * sr + j0 * sc;
        let b = dO + i * dr + j0 * dc;
        for (let j = j0; j < j1; j++) {
          dst[b] = src[a]!;
          a += sc;
          b += dc;
        }
      }
    }
  }
}

/**
 * A copier of a block of `shape`, element (i0, i1, ...) read at srcOffset + Σ ik·srcStrides[k]
 * and written at dstOffset + Σ ik·dstStrides[k]. The innermost axis is a tight loop; a 2-D
 * (or batched 2-D) block whose strides cross (a transpose) is copied in tiles.
 */
export function stridedCopier(shape: Shape, srcStrides: readonly number[], dstStrides: readonly number[]): Copier {
  if (sizeOf(shape) === 0) return () => {};
  const { dims, ss, ds } = simplify(shape, srcStrides, dstStrides);
  const rank = dims.length;
  if (rank === 0) {
    return (src, so, dst, dO) => {
      dst[dO] = src[so]!;
    };
  }
  const n = dims[rank - 1]!;
  const si = ss[rank - 1]!;
  const di = ds[rank - 1]!;
  if (rank === 1 && si === 1 && di === 1) {
    return (src, so, dst, dO) => {
      for (let k = 0; k < n; k++) dst[dO + k] = src[so + k]!;
    };
  }
  const crossing = si !== 1 && rank >= 2 && dims[rank - 2]! >= 8 && n >= 8;
  if (crossing && rank <= 3) {
    const rows = dims[rank - 2]!;
    const sr = ss[rank - 2]!;
    const dr = ds[rank - 2]!;
    const batch = rank === 3 ? dims[0]! : 1;
    const sb = rank === 3 ? ss[0]! : 0;
    const db = rank === 3 ? ds[0]! : 0;
    return (src, so, dst, dO) => {
      for (let b = 0; b < batch; b++) tiled(rows, n, sr, si, dr, di, src, so + b * sb, dst, dO + b * db);
    };
  }
  const outer = sizeOf(dims) / n;
  const idx = new Int32Array(rank);
  return (src, so, dst, dO) => {
    idx.fill(0);
    let s = so;
    let d = dO;
    for (let r = 0; r < outer; r++) {
      if (si === 1 && di === 1) {
        for (let k = 0; k < n; k++) dst[d + k] = src[s + k]!;
      } else {
        let a = s;
        let b = d;
        for (let k = 0; k < n; k++) {
          dst[b] = src[a]!;
          a += si;
          b += di;
        }
      }
      // advance the multi-index over the outer axes, odometer style
      for (let ax = rank - 2; ax >= 0; ax--) {
        idx[ax]!++;
        s += ss[ax]!;
        d += ds[ax]!;
        if (idx[ax]! < dims[ax]!) break;
        s -= ss[ax]! * dims[ax]!;
        d -= ds[ax]! * dims[ax]!;
        idx[ax] = 0;
      }
    }
  };
}

/** Checks an index read from a float buffer: an integer in [0, size). */
export function checkIndex(op: string, i: number, size: number): void {
  if (!(i >= 0 && i < size && Math.floor(i) === i)) {
    throw new RangeError(`${op}: index ${i} is not an integer in [0, ${size})`);
  }
}
