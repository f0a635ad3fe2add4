// Generated loops for elementwise primitives and fused elementwise chains: flat when shapes
// agree, strided under broadcasting; one-element inputs are read once, outside the loop.
import type { Kernel } from '../primitive.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../shape.js';
import { kernelMode } from './codegen.js';
import { describeKernel } from './kernel-spec.js';
import { interpretedFused } from './interpreted.js';
import { scalarLib } from './scalar-lib.js';

/** A generated function (one per kernel, see below) from the loop's shape and input strides to its Kernel. */
type KernelFactory = (shape: Shape, strides: readonly (readonly number[])[]) => Kernel;

// Every kernel gets a function of its own (new Function per kernel, never shared between kernels
// or plans): V8 keeps type feedback and optimized code per function, so a function shared by
// two plans runs the second plan's loops on the first plan's feedback, which is slower
// (measurements: docs/performance.md, "Every kernel gets its own generated function").

/** A generated function (one per kernel) from a row loop's rows, columns and input row strides to its Kernel. */
type RowsFactory = (rows: number, cols: number, rowStrides: readonly number[], blocks?: number, blockStrides?: readonly number[]) => Kernel;

/**
 * The loop body: `body` (statements over the element variables a0, a1, ...; may be empty) then
 * `out[.] = result`. Both are built by the compiler from primitives' `scalarExpr` only.
 * `scalar[i]` marks inputs with one element: loaded once before the loop.
 */
interface LoopSpec {
  readonly body: string;
  readonly result: string;
  readonly scalar: readonly boolean[];
}

/** The inputs read element by element (not one-element ones), by index. */
function arrayInputs(spec: LoopSpec): number[] {
  return spec.scalar.map((s, i) => (s ? -1 : i)).filter((i) => i >= 0);
}

function header(spec: LoopSpec): string {
  return spec.scalar
    .map((s, i) => (s ? `const a${i} = inputs[${i}][0];` : `const x${i} = inputs[${i}];`))
    .join(' ');
}

/** `out[i] = f(in0[i], in1[i], ...)` over equal shapes. */
function flatKernel(spec: LoopSpec): Kernel {
  const loads = spec.scalar.map((s, i) => (s ? '' : `const a${i} = x${i}[i];`)).join(' ');
  const src = `return function elementwise(inputs, out) { ${header(spec)} const n = out.length;
    for (let i = 0; i < n; i++) { ${loads} ${spec.body} out[i] = ${spec.result}; } };`;
  return new Function('lib', src)(scalarLib) as Kernel;
}

/** Same, with inputs read through broadcast strides; the innermost axis is a tight loop. */
function stridedFactory(spec: LoopSpec): KernelFactory {
  const v = arrayInputs(spec);
  const src = `return function make(shape, strides) {
    const rank = shape.length, inner = shape[rank - 1], outer = out_size(shape) / inner;
    const idx = new Int32Array(rank);
    ${v.map((i) => `const s${i} = strides[${i}], is${i} = s${i}[rank - 1];`).join(' ')}
    return function elementwiseStrided(inputs, out) {
      ${header(spec)}
      idx.fill(0);
      ${v.map((i) => `let o${i} = 0;`).join(' ')}
      let p = 0;
      for (let r = 0; r < outer; r++) {
        ${v.map((i) => `let j${i} = o${i};`).join(' ')}
        for (let i = 0; i < inner; i++) {
          ${v.map((i) => `const a${i} = x${i}[j${i}]; j${i} += is${i};`).join(' ')}
          ${spec.body}
          out[p++] = ${spec.result};
        }
        for (let ax = rank - 2; ax >= 0; ax--) {
          idx[ax]++;
          ${v.map((i) => `o${i} += s${i}[ax];`).join(' ')}
          if (idx[ax] < shape[ax]) break;
          ${v.map((i) => `o${i} -= s${i}[ax] * shape[ax];`).join(' ')}
          idx[ax] = 0;
        }
      }
    };
  };`;
  const outSize = (shape: Shape): number => sizeOf(shape);
  return new Function('lib', 'out_size', src)(scalarLib, outSize) as KernelFactory;
}

/**
 * Same over a matrix output [rows, cols], each input read with a row stride and a column stride
 * of 1 (a full row) or 0 (one value per row, loaded once per row, outside the inner loop). The
 * general strided loop pays an index update per row, a few ns a row: as much as the work itself
 * when rows are short (10 values). `blocked`: the output is [blocks, rows, cols], each input
 * read with a block stride too (the seeds of a batched sweep: [seeds, rows, cols] with inputs
 * shared by every seed, or by every row).
 */
function rowsFactory(spec: LoopSpec, perRow: readonly boolean[], unrollCols = 0, blocked = false): RowsFactory {
  const v = arrayInputs(spec);
  // at each row: per-row inputs loaded, the others' row offsets found (from the block's offset o_i)
  const at = (i: number): string => (blocked ? `o${i} + r * r${i}` : `r * r${i}`);
  const rowStart = v.map((i) => (perRow[i] ? `const a${i} = x${i}[${at(i)}];` : `const b${i} = ${at(i)};`)).join(' ');
  const params = blocked ? 'rows, cols, rowStrides, blocks, blockStrides' : 'rows, cols, rowStrides';
  const strideLoads = v.map((i) => `const r${i} = rowStrides[${i}];${blocked ? ` const q${i} = blockStrides[${i}];` : ''}`).join(' ');
  // the row loop, inside a loop over blocks when blocked (p counts on across blocks)
  const loop = (rowLoop: string, body: string): string => (blocked
    ? `let p = 0; for (let q = 0; q < blocks; q++) { ${v.map((i) => `const o${i} = q * q${i};`).join(' ')} ${rowLoop.replace(', p = 0', '')} { ${body} } }`
    : `${rowLoop} { ${body} }`);
  if (unrollCols > 0) {
    // the row written out in full (cols = unrollCols): no inner loop to enter once per row
    const cells = Array.from({ length: unrollCols }, (_, c) => `{ ${v.filter((i) => !perRow[i]).map((i) => `const a${i} = x${i}[b${i} + ${c}];`).join(' ')}
            ${spec.body}
            out[p + ${c}] = ${spec.result}; }`).join('\n');
    const src = `return function make(${params}) {
      ${strideLoads}
      return function elementwiseShortRows(inputs, out) {
        ${header(spec)}
        ${loop(`for (let r = 0, p = 0; r < rows; r++, p += ${unrollCols})`, `${rowStart}\n${cells}`)}
      };
    };`;
    return new Function('lib', src)(scalarLib) as RowsFactory;
  }
  const src = `return function make(${params}) {
    ${strideLoads}
    return function elementwiseRows(inputs, out) {
      ${header(spec)}
      ${loop('for (let r = 0, p = 0; r < rows; r++)', `${rowStart}
        for (let c = 0; c < cols; c++, p++) {
          ${v.filter((i) => !perRow[i]).map((i) => `const a${i} = x${i}[b${i} + c];`).join(' ')}
          ${spec.body}
          out[p] = ${spec.result};
        }`)}
    };
  };`;
  return new Function('lib', src)(scalarLib) as RowsFactory;
}

/**
 * Matrix outputs with at most this many columns get their rows written out in full: a loop of
 * 10 iterations entered once per row costs about as much as the row's arithmetic.
 */
export const UNROLL_COLS = 16;

/**
 * A kernel running `body` then storing `result` for every element of `out`, with the inputs
 * (variables a0..a{k-1}) broadcast to `out` as in numpy. `body` and `result` must be built from
 * primitives' `scalarExpr` (never from user text).
 */
export function fusedKernel(body: string, result: string, inputs: readonly Shape[], out: Shape): Kernel {
  if (sizeOf(out) === 0) return () => {};
  // no `new Function` (a strict Content-Security-Policy): the same arithmetic, interpreted
  if (kernelMode() === 'interpreted') return interpretedFused(body, result, inputs, out);
  return describeKernel(generatedFused(body, result, inputs, out), { kind: 'elementwise', body, result, inputs, out });
}

/** fusedKernel's generated loop: flat, by rows (of matrices, or of blocks of matrices) or strided. */
function generatedFused(body: string, result: string, inputs: readonly Shape[], out: Shape): Kernel {
  const scalar = inputs.map((s) => sizeOf(s) === 1);
  const spec: LoopSpec = { body, result, scalar };
  if (inputs.every((s, i) => scalar[i] || sameShape(s, out))) return flatKernel(spec);
  const shape = out.length === 0 ? [1] : out;
  const strides = inputs.map((s) => broadcastStrides(s, shape));
  if (shape.length === 2 && strides.every((st, i) => scalar[i] || st[1] === 0 || st[1] === 1)) {
    const perRow = strides.map((st, i) => !scalar[i] && st[1] === 0);
    const cols = shape[1]!;
    return rowsFactory(spec, perRow, cols <= UNROLL_COLS ? cols : 0)(shape[0]!, cols, strides.map((st) => st[0]!));
  }
  if (shape.length === 3 && strides.every((st, i) => scalar[i] || st[2] === 0 || st[2] === 1)) {
    const perRow = strides.map((st, i) => !scalar[i] && st[2] === 0);
    const cols = shape[2]!;
    return rowsFactory(spec, perRow, cols <= UNROLL_COLS ? cols : 0, true)(shape[1]!, cols, strides.map((st) => st[1]!), shape[0]!, strides.map((st) => st[0]!));
  }
  return stridedFactory(spec)(shape, strides);
}

/**
 * A kernel computing `expr` (over variables a0..a{k-1}) elementwise with numpy broadcasting of
 * the inputs to `out`.
 */
export function elementwiseKernel(expr: string, inputs: readonly Shape[], out: Shape): Kernel {
  return fusedKernel('', expr, inputs, out);
}
