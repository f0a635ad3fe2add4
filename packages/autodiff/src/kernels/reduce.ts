// Generated reduction loops over chosen axes: a fold (init, step, finish), fast paths for common layouts.
import type { Kernel } from '../primitive.js';
import { sizeOf, stridesOf, type Shape } from '../shape.js';
import { scalarLib } from './scalar-lib.js';

/**
 * A fold over the reduced elements of each output element. Expressions use `acc`, `v` (the
 * element), `n` (elements reduced) and, when `pre` is given, `m` (the result of a first pass
 * fold `pre`, e.g. the max for a stable logsumexp).
 */
export interface Fold {
  readonly init: string;
  readonly step: string;
  readonly finish?: string;
  readonly pre?: Fold;
}

/** Offsets of every element of the sub-grid spanned by `axes` of `shape`, row-major. */
function offsets(shape: Shape, axes: readonly number[]): Int32Array {
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

/** Source of one fold over `count` elements read by `read`, storing into `target`. */
function foldLoop(fold: Fold, read: string, count: string, target: string): string {
  const pre = fold.pre ? foldLoop(fold.pre, read, count, 'm') : '';
  const finish = fold.finish ?? 'acc';
  return `${pre}
    { let acc = ${fold.init};
      for (let r = 0; r < ${count}; r++) { const v = ${read}; acc = ${fold.step}; }
      const n = ${count}; ${target} = ${finish}; }`;
}

const cache = new Map<string, (outer: Int32Array, inner: Int32Array, innerCount: number) => Kernel>();

/**
 * A kernel reducing `axes` of `shape` with `fold`. The output holds one value per combination of
 * the kept axes, row-major (keepDims does not change the layout).
 */
export function reduceKernel(fold: Fold, shape: Shape, axes: readonly number[]): Kernel {
  const key = JSON.stringify(fold);
  let make = cache.get(key);
  if (!make) {
    const body = `return function make(outer, inner, innerCount) {
      const outerCount = outer.length;
      return function reduce(inputs, out) {
        const x = inputs[0];
        for (let o = 0; o < outerCount; o++) {
          const base = outer[o];
          let m = 0;
          ${foldLoop(fold, 'x[base + inner[r]]', 'innerCount', 'out[o]')}
        }
      };
    };`;
    make = new Function('lib', body)(scalarLib) as (outer: Int32Array, inner: Int32Array, innerCount: number) => Kernel;
    cache.set(key, make);
  }
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const inner = offsets(shape, axes);
  return make(offsets(shape, kept), inner, inner.length);
}
