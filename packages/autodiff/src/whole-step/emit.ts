// Source of one kernel's arithmetic written inline (sizes and offsets as literals), from the spec its generator recorded.
import type { ElementwiseSpec, KernelSpec, MatmulSpec, ReduceSpec } from '../kernels/kernel-spec.js';
import { SMALL_PRODUCT } from '../kernels/matmul.js';
import { broadcastStrides, sizeOf, subgridOffsets } from '../shape.js';

/**
 * How generated code reaches a buffer's elements: `at(k)` is element k (k a literal), for any
 * buffer; `atLoop(e)` is element e for a loop variable, only for buffers held in an array (not
 * for buffers whose elements are local variables of the generated function).
 */
export interface BufferRef {
  readonly at: (k: number) => string;
  readonly atLoop?: (index: string) => string;
}

/** Kernels larger than these are called as they are (their loops, not written out element by element). */
export const INLINE_ELEMENTS = 256;
export const INLINE_PRODUCT_TERMS = 512;

/**
 * The statements computing `spec` from `inputs` into `out`, exactly as the kernel its generator
 * made computes it (the same expressions, each sum in the same order), or undefined where the
 * kernel is too large to write out or its arithmetic is its backend's (large products).
 */
export function emitKernel(spec: KernelSpec, inputs: readonly BufferRef[], out: BufferRef): string | undefined {
  switch (spec.kind) {
    case 'elementwise': return emitElementwise(spec, inputs, out);
    case 'reduce': return emitReduce(spec, inputs, out);
    case 'matmul': return emitMatmul(spec, inputs, out);
  }
}

/** Element offsets of each output element in an input broadcast by `strides` to `shape` (row-major). */
function broadcastOffsets(shape: readonly number[], strides: readonly number[]): number[] {
  const count = sizeOf(shape);
  const offsets: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let p = 0; p < count; p++) {
    let off = 0;
    for (let ax = 0; ax < shape.length; ax++) off += idx[ax]! * strides[ax]!;
    offsets.push(off);
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      if (idx[ax]! < shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return offsets;
}

/**
 * fusedKernel's loop (kernels/elementwise.ts): for each output element, `body` over a0, a1, ...
 * (one-element inputs read once, first) then the result stored. Every layout the kernel picks
 * (flat, rows, strided) computes each element by the same expression, so the order of elements
 * does not change a bit.
 */
function emitElementwise(spec: ElementwiseSpec, inputs: readonly BufferRef[], out: BufferRef): string | undefined {
  const n = sizeOf(spec.out);
  if (n === 0) return '';
  const scalar = spec.inputs.map((s) => sizeOf(s) === 1);
  const head = scalar.map((s, i) => (s ? `const a${i} = ${inputs[i]!.at(0)};` : '')).join(' ');
  const flat = spec.inputs.every((s, i) => scalar[i] || sizeOf(s) === n && s.length === spec.out.length && s.every((d, a) => d === spec.out[a]));
  if (flat && n > INLINE_ELEMENTS) {
    const refs = [out, ...inputs.filter((_, i) => !scalar[i])];
    if (refs.some((r) => r.atLoop === undefined)) return undefined;
    const loads = scalar.map((s, i) => (s ? '' : `const a${i} = ${inputs[i]!.atLoop!('e')};`)).join(' ');
    return `{ ${head} for (let e = 0; e < ${n}; e++) { ${loads} ${spec.body} ${out.atLoop!('e')} = ${spec.result}; } }`;
  }
  if (n > INLINE_ELEMENTS) return undefined;
  const shape = spec.out.length === 0 ? [1] : spec.out;
  const offsets = spec.inputs.map((s, i) => (scalar[i] ? [] : broadcastOffsets(shape, broadcastStrides(s, shape))));
  const cells: string[] = [];
  for (let p = 0; p < n; p++) {
    const loads = scalar.map((s, i) => (s ? '' : `const a${i} = ${inputs[i]!.at(offsets[i]![p]!)};`)).join(' ');
    cells.push(`{ ${loads} ${spec.body} ${out.at(p)} = ${spec.result}; }`);
  }
  return `{ ${head}\n${cells.join('\n')} }`;
}

/**
 * reduceKernel / fusedReduceKernel (kernels/reduce.ts): for each output (the kept axes
 * row-major), `acc = init`, then `acc = step` over the reduced elements row-major, then
 * `finish` with n the count; a `pre` fold first leaves its result in `m`. Every layout the kernel
 * picks (short rows, few columns, rows, columns, offset tables) folds each output's elements in
 * this order.
 */
function emitReduce(spec: ReduceSpec, inputs: readonly BufferRef[], out: BufferRef): string | undefined {
  const { fold, shape, axes, read } = spec;
  const total = sizeOf(shape);
  if (total === 0 || total > INLINE_ELEMENTS) return undefined;
  if (fold.pre?.pre !== undefined) return undefined;
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outer = subgridOffsets(shape, kept);
  const inner = subgridOffsets(shape, axes);
  const count = inner.length;
  const head = read === undefined ? '' : read.scalar.map((s, i) => (s ? `const a${i} = ${inputs[i]!.at(0)};` : '')).join(' ');
  /** Statements and the value of element q of output o. */
  // per-row inputs are read at the element's row (its index over every axis but the last), per-column ones at its column
  const cols = shape[shape.length - 1] ?? 1;
  const element = (q: number): { stmts: string; value: string } => {
    if (read === undefined) return { stmts: '', value: inputs[0]!.at(q) };
    const loads = read.scalar.map((s, i) => (s ? '' : read.row?.[i] ? `const a${i} = ${inputs[i]!.at(Math.floor(q / cols))};`
      : read.col?.[i] ? `const a${i} = ${inputs[i]!.at(q % cols)};` : `const a${i} = ${inputs[i]!.at(q)};`));
    return { stmts: `${loads.join(' ')} ${read.body}`, value: read.result };
  };
  const foldOver = (f: typeof fold, o: number, target: string): string => {
    const parts = [`{ let acc = ${f.init};`];
    for (let r = 0; r < count; r++) {
      const { stmts, value } = element(outer[o]! + inner[r]!);
      parts.push(`{ ${stmts} const v = ${value}; acc = ${f.step}; }`);
    }
    parts.push(`const n = ${count}; ${target} = ${f.finish ?? 'acc'}; }`);
    return parts.join('\n');
  };
  const outputs: string[] = [];
  for (let o = 0; o < outer.length; o++) {
    const pre = fold.pre === undefined ? '' : foldOver(fold.pre, o, 'm');
    outputs.push(`{ let m = 0; ${pre}\n${foldOver(fold, o, out.at(o))} }`);
  }
  return `{ ${head}\n${outputs.join('\n')} }`;
}

/**
 * batchedGemm (kernels/matmul.ts) for products of at most SMALL_PRODUCT terms, which it computes
 * by gemmReference's order: each entry 0 + a·b + a·b + ... with p rising. Larger products run on
 * the selected backend, whose order is its own: those are called, never written out.
 */
function emitMatmul(spec: MatmulSpec, inputs: readonly BufferRef[], out: BufferRef): string | undefined {
  const { m, n, k, transA, transB } = spec.gemm;
  const count = spec.aOffsets.length;
  if (m * n * k > SMALL_PRODUCT || count * m * n * k > INLINE_PRODUCT_TERMS) return undefined;
  const sAi = transA ? 1 : k;
  const sAp = transA ? m : 1;
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  const [a, b] = inputs;
  const lines: string[] = [];
  for (let t = 0; t < count; t++) {
    const ao = spec.aOffsets[t]!;
    const bo = spec.bOffsets[t]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = '0';
        for (let p = 0; p < k; p++) sum = `(${sum} + ${a!.at(ao + i * sAi + p * sAp)} * ${b!.at(bo + p * sBp + j * sBj)})`;
        lines.push(`${out.at(t * m * n + i * n + j)} = ${sum};`);
      }
    }
  }
  return lines.join('\n');
}
