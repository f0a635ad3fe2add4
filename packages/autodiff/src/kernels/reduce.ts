// Generated reduction loops over chosen axes: a fold (init, step, finish), fast paths for common layouts.
import type { Kernel } from '../primitive.js';
import { sizeOf, subgridOffsets, type Shape } from '../shape.js';
import { kernelMode } from './codegen.js';
import { describeKernel } from './kernel-spec.js';
import { interpretedReduce } from './interpreted.js';
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


/**
 * How an element is read at an index expression: statements, then the value's expression.
 * Plain reductions read `x[i]`; a reduction fused with the elementwise loop that made its input
 * computes the element there (see `fusedReduceKernel`).
 */
type Reader = (index: string) => { readonly stmts: string; readonly value: string };
const plainReader: Reader = (index) => ({ stmts: '', value: `x[${index}]` });

/** Source of one fold over `count` elements (index `at(r)`), storing into `target`. */
function foldLoop(fold: Fold, read: Reader, at: string, count: string, target: string): string {
  const pre = fold.pre ? foldLoop(fold.pre, read, at, count, 'm') : '';
  const finish = fold.finish ?? 'acc';
  const { stmts, value } = read(at);
  return `${pre}
    { let acc = ${fold.init};
      for (let r = 0; r < ${count}; r++) { ${stmts} const v = ${value}; acc = ${fold.step}; }
      const n = ${count}; ${target} = ${finish}; }`;
}

/**
 * Source of one fold done column-wise: `K` accumulators `accs[at]` (at = j + offset) advanced
 * together, one input row `x[base + r*K .. base + r*K + K)` at a time, so memory is read
 * contiguously. A `pre` fold first fills a scratch row (one `m` per column).
 */
function columnLoop(fold: Fold, accs: string, offset: string, scratch: readonly string[], read: Reader = plainReader): string {
  const [ms, ...rest] = scratch;
  const pre = fold.pre ? columnLoop(fold.pre, ms!, '0', rest, read) : '';
  const m = fold.pre ? `const m = ${ms}[j];` : '';
  const finish = fold.finish ?? 'acc';
  const { stmts, value } = read('rb + j');
  return `${pre}
    for (let j = 0; j < K; j++) ${accs}[j + ${offset}] = ${fold.init};
    for (let r = 0; r < R; r++) {
      const rb = base + r * K;
      for (let j = 0; j < K; j++) { ${m} ${stmts} const v = ${value}; const acc = ${accs}[j + ${offset}]; ${accs}[j + ${offset}] = ${fold.step}; }
    }
    for (let j = 0; j < K; j++) { ${m} const acc = ${accs}[j + ${offset}]; const n = R; ${accs}[j + ${offset}] = ${finish}; }`;
}

/** Depth of the chain of `pre` folds (each needs one scratch row in the column-wise path). */
function preDepth(fold: Fold): number {
  return fold.pre ? 1 + preDepth(fold.pre) : 0;
}

type Factory = (...args: unknown[]) => Kernel;

/**
 * A new function per kernel, never shared (see kernels/elementwise.ts: V8's feedback and optimized
 * code are per function, and sharing them between plans slowed the later plan's loops).
 */
function generate(params: readonly string[], body: string): Factory {
  return new Function('lib', `return function make(${params.join(', ')}) { ${body} };`)(scalarLib) as Factory;
}

/**
 * The reduced axes as one contiguous block of a [O, R, K] view (size-1 axes dropped first, as
 * they do not move any element), or undefined when they are scattered.
 */
function asBlock(shape: Shape, axes: readonly number[]): { O: number; R: number; K: number } | undefined {
  const reduced = shape.map((d, i) => (d === 1 ? undefined : axes.includes(i))).filter((r) => r !== undefined);
  const dims = shape.filter((d) => d !== 1);
  const first = reduced.indexOf(true);
  if (first < 0) return { O: sizeOf(dims), R: 1, K: 1 };
  const last = reduced.lastIndexOf(true);
  for (let i = first; i <= last; i++) if (!reduced[i]) return undefined;
  return { O: sizeOf(dims.slice(0, first)), R: sizeOf(dims.slice(first, last + 1)), K: sizeOf(dims.slice(last + 1)) };
}

/** When the reduced axes are trailing (after dropping size-1 axes): O rows of R contiguous elements. */
export function trailingRows(shape: Shape, axes: readonly number[]): { O: number; R: number } | undefined {
  const block = asBlock(shape, axes);
  return block && block.K === 1 ? { O: block.O, R: block.R } : undefined;
}

/**
 * A kernel reducing `axes` of `shape` with `fold`. The output holds one value per combination of
 * the kept axes, row-major (keepDims does not change the layout).
 *
 * Layouts: reduced axes trailing (K = 1) read each output's elements as one contiguous run
 * (written out in full for rows of at most UNROLL elements);
 * reduced axes followed by kept ones (K > 1) accumulate K outputs at once row by row (in K
 * locals when K <= UNROLL); any other
 * pattern goes through precomputed offset tables.
 */
export function reduceKernel(fold: Fold, shape: Shape, axes: readonly number[]): Kernel {
  // no `new Function` (a strict Content-Security-Policy): the same folds, interpreted
  if (kernelMode() === 'interpreted') return interpretedReduce(fold, shape, axes);
  return describeKernel(reduceWith(fold, shape, axes, plainReader, 'const x = inputs[0];'), { kind: 'reduce', fold, shape, axes });
}

/**
 * The loop body of an elementwise group whose value a reduction reads (see optimize/fuse.ts):
 * statements over a0, a1, ... then `result`; `scalar[i]` marks one-element inputs, `row[i]`
 * inputs holding one value per row (the reduced tensor's shape with its last axis 1, read as
 * y[o]), `col[i]` inputs holding one value per column (every axis but the last 1, read at the
 * element's index in its row: Σ_j X_ij v_j); both only for reductions over the last axis alone
 * or over every axis of a matrix. Every other input has the reduced tensor's shape.
 */
export interface FusedRead {
  readonly body: string;
  readonly result: string;
  readonly scalar: readonly boolean[];
  readonly row?: readonly boolean[];
  readonly col?: readonly boolean[];
}

/**
 * A reduction of `fold` over `axes` of `shape` whose input is computed element by element inside
 * the reduction's loop by `read` (an elementwise chain fused into the reduction: the [.., n]
 * array is never written). Inputs are the group's inputs, in order.
 */
export function fusedReduceKernel(fold: Fold, shape: Shape, axes: readonly number[], read: FusedRead): Kernel {
  const row = read.row ?? read.scalar.map(() => false);
  const col = read.col ?? read.scalar.map(() => false);
  const block = asBlock(shape, axes);
  const broadcast = row.some(Boolean) || col.some(Boolean);
  const wholeMatrix = shape.length === 2 && axes.length === 2;
  if (broadcast && !wholeMatrix && !(block?.K === 1 && axes.length === 1 && axes[0] === shape.length - 1)) {
    throw new Error('fusedReduceKernel: per-row and per-column inputs need a reduction over the last axis alone or a whole matrix');
  }
  if (kernelMode() === 'interpreted') return interpretedReduce(fold, shape, axes, read);
  const head = read.scalar.map((s, i) => (s ? `const a${i} = inputs[${i}][0];` : `const y${i} = inputs[${i}];`)).join(' ');
  // the row paths (K = 1) have the row's index in `o` and its first element's in `base`
  const load = (i: number): string =>
    (read.scalar[i] ? '' : row[i] ? `const a${i} = y${i}[o];` : col[i] ? `const a${i} = y${i}[q - base];` : `const a${i} = y${i}[q];`);
  const reader: Reader = (index) => ({
    stmts: `const q = ${index}; ${read.scalar.map((_, i) => load(i)).join(' ')} ${read.body}`,
    value: read.result,
  });
  const kernel = broadcast && wholeMatrix ? wholeMatrixFold(fold, shape, reader, head) : reduceWith(fold, shape, axes, reader, head);
  return describeKernel(kernel, { kind: 'reduce', fold, shape, axes, read: { ...read, row, col } });
}

/**
 * Rows or column groups of at most this many elements are reduced by unrolled code: a loop of 10
 * iterations per row (short rows, of 10 or 5) or 10 accumulators kept in an array cost
 * 1.3-2.4 ns an element, several times a plain streaming pass.
 */
export const UNROLL = 16;

/** One fold over `count` elements written out (count literal), the result stored into `target`. */
function unrolledFold(fold: Fold, read: Reader, at: (r: number) => string, count: number, target: string): string {
  const parts: string[] = [`{ let acc = ${fold.init};`];
  for (let r = 0; r < count; r++) {
    const { stmts, value } = read(at(r));
    parts.push(`{ ${stmts} const v = ${value}; acc = ${fold.step}; }`);
  }
  parts.push(`const n = ${count}; ${target} = ${fold.finish ?? 'acc'}; }`);
  return parts.join('\n');
}

/** K accumulators c0..c{K-1} in locals, advanced one input row at a time (K literal). */
function unrolledColumns(fold: Fold, read: Reader, K: number): string {
  const init = Array.from({ length: K }, (_, j) => `let c${j} = ${fold.init};`).join(' ');
  const steps = Array.from({ length: K }, (_, j) => {
    const { stmts, value } = read(`rb + ${j}`);
    return `{ ${stmts} const v = ${value}; const acc = c${j}; c${j} = ${fold.step}; }`;
  }).join('\n');
  const finish = Array.from({ length: K }, (_, j) => `{ const acc = c${j}; out[ob + ${j}] = ${fold.finish ?? 'acc'}; }`).join(' ');
  return `${init}
    for (let r = 0; r < R; r++) { const rb = base + r * ${K}; ${steps} }
    const n = R; ${finish}`;
}

/**
 * A fold of every element of a matrix [R, C] read row by row (the row in `o`, its first element
 * in `base`, for per-row and per-column inputs), one accumulator in row-major order: the order of
 * the flat fold over all elements.
 */
function wholeMatrixFold(fold: Fold, shape: Shape, read: Reader, head: string): Kernel {
  const { stmts, value } = read('base + r');
  const make = generate(['R', 'C'], `
    return function reduceMatrix(inputs, out) {
      ${head}
      let acc = ${fold.init};
      for (let o = 0; o < R; o++) {
        const base = o * C;
        for (let r = 0; r < C; r++) { ${stmts} const v = ${value}; acc = ${fold.step}; }
      }
      const n = R * C; out[0] = ${fold.finish ?? 'acc'};
    };`);
  return make(shape[0], shape[1]);
}

/**
 * Rows folded together, one accumulator each, by the row loop of long rows: a fold's step waits
 * for the previous one (an add's latency, 3-4 cycles), so one row at a time runs at that latency;
 * ROW_LANES rows advance together, each still in its own order (the same bits), at the adds' throughput.
 */
export const ROW_LANES = 4;

/**
 * The body of one group of `lanes` rows from o0: accumulators c0.. advanced together over r,
 * each lane reading its row as the one-row loop does (its own `o` and `base`).
 */
function interleavedRows(fold: Fold, read: Reader, lanes: number): string {
  const { stmts, value } = read('base + r');
  const ids = Array.from({ length: lanes }, (_, k) => k);
  return `${ids.map((k) => `let c${k} = ${fold.init};`).join(' ')}
    for (let r = 0; r < R; r++) {
      ${ids.map((k) => `{ const o = o0 + ${k}; const base = o * R; ${stmts} const v = ${value}; const acc = c${k}; c${k} = ${fold.step}; }`).join('\n      ')}
    }
    const n = R;
    ${ids.map((k) => `{ const acc = c${k}; out[o0 + ${k}] = ${fold.finish ?? 'acc'}; }`).join(' ')}`;
}

function reduceWith(fold: Fold, shape: Shape, axes: readonly number[], read: Reader, head: string): Kernel {
  const block = asBlock(shape, axes);
  if (block && block.K === 1 && fold.pre === undefined && block.R >= 1 && block.R <= UNROLL) {
    const R = block.R;
    const make = generate(['O'], `
      return function reduceShortRows(inputs, out) {
        ${head}
        for (let o = 0; o < O; o++) {
          const base = o * ${R};
          ${unrolledFold(fold, read, (r) => `base + ${r}`, R, 'out[o]')}
        }
      };`);
    return make(block.O);
  }
  if (block && block.K > 1 && fold.pre === undefined && block.K <= UNROLL) {
    const K = block.K;
    const make = generate(['O', 'R'], `
      return function reduceFewColumns(inputs, out) {
        ${head}
        for (let o = 0; o < O; o++) {
          const base = o * R * ${K}, ob = o * ${K};
          ${unrolledColumns(fold, read, K)}
        }
      };`);
    return make(block.O, block.R);
  }
  if (block && block.K === 1 && fold.pre === undefined && block.O >= ROW_LANES) {
    const make = generate(['O', 'R'], `
      return function reduceRowsInterleaved(inputs, out) {
        ${head}
        let o0 = 0;
        for (; o0 + ${ROW_LANES} <= O; o0 += ${ROW_LANES}) {
          ${interleavedRows(fold, read, ROW_LANES)}
        }
        for (let o = o0; o < O; o++) {
          const base = o * R;
          ${foldLoop(fold, read, 'base + r', 'R', 'out[o]')}
        }
      };`);
    return make(block.O, block.R);
  }
  if (block && block.K === 1) {
    const make = generate(['O', 'R'], `
      return function reduceRows(inputs, out) {
        ${head}
        for (let o = 0; o < O; o++) {
          const base = o * R;
          let m = 0;
          ${foldLoop(fold, read, 'base + r', 'R', 'out[o]')}
        }
      };`);
    return make(block.O, block.R);
  }
  if (block) {
    const depth = preDepth(fold);
    const scratch = Array.from({ length: depth }, (_, i) => `s${i}`);
    const make = generate(['O', 'R', 'K', 'scratch'], `
      ${scratch.map((s, i) => `const ${s} = scratch[${i}];`).join(' ')}
      return function reduceColumns(inputs, out) {
        ${head}
        for (let o = 0; o < O; o++) {
          const base = o * R * K, ob = o * K;
          ${columnLoop(fold, 'out', 'ob', scratch, read)}
        }
      };`);
    // one scratch row of K per pre fold, reused for every o (allocated once, at prepare)
    const rows = scratch.map(() => new Float64Array(block.K));
    return make(block.O, block.R, block.K, rows);
  }
  const make = generate(['outer', 'inner', 'innerCount'], `
    const outerCount = outer.length;
    return function reduce(inputs, out) {
      ${head}
      for (let o = 0; o < outerCount; o++) {
        const base = outer[o];
        let m = 0;
        ${foldLoop(fold, read, 'base + inner[r]', 'innerCount', 'out[o]')}
      }
    };`);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const inner = subgridOffsets(shape, axes);
  return make(subgridOffsets(shape, kept), inner, inner.length);
}
