// Matrix products: the reference loop, batch offsets, and batched products by the selected backend (registry.ts).
import { broadcastStrides, sizeOf, type Shape } from '../shape.js';
import { kernelMode } from './codegen.js';
import { selectedKernel } from './registry.js';

/** The transpose flags of a product op(A)·op(B): op transposes (the last two axes of) its operand when its flag is set. */
export interface MatmulAttrs {
  readonly transA: boolean;
  readonly transB: boolean;
}

/**
 * One matrix product C = op(A) · op(B), with op(A) of shape [m, k] and op(B) of shape [k, n].
 * A is stored row-major as [m, k], or as [k, m] when `transA`; B as [k, n], or [n, k] when
 * `transB`. C is [m, n]. Offsets say where each matrix starts in its buffer.
 */
export interface Gemm extends MatmulAttrs {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export type GemmKernel = (
  g: Gemm,
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  c: Float64Array,
  cOff: number,
) => void;

/**
 * The plain triple loop, written for clarity: element (i, p) of op(A) sits at
 * i·sAi + p·sAp, element (p, j) of op(B) at p·sBp + j·sBj.
 */
export const gemmReference: GemmKernel = ({ m, n, k, transA, transB }, a, aOff, b, bOff, c, cOff) => {
  const sAi = transA ? 1 : k;
  const sAp = transA ? m : 1;
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + i * sAi + p * sAp]! * b[bOff + p * sBp + j * sBj]!;
      c[cOff + i * n + j] = s;
    }
  }
};

/**
 * Offsets of each matrix (block of `blockSize` elements) of an input with batch shape `batch`,
 * for every index of the broadcast batch shape `outBatch` (row-major), as numpy broadcasting reads them.
 */
export function batchOffsets(batch: Shape, outBatch: Shape, blockSize: number): Int32Array {
  const count = sizeOf(outBatch);
  const out = new Int32Array(count);
  if (outBatch.length === 0) return out;
  const strides = broadcastStrides(batch, outBatch);
  const idx = new Array<number>(outBatch.length).fill(0);
  for (let t = 0; t < count; t++) {
    let off = 0;
    for (let ax = 0; ax < outBatch.length; ax++) off += idx[ax]! * strides[ax]!;
    out[t] = off * blockSize;
    for (let ax = outBatch.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      if (idx[ax]! < outBatch[ax]!) break;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Below this many multiply-adds the reference loop wins: packing is not worth it. */
export const SMALL_PRODUCT = 8 * 8 * 8;

/** Products small enough to be written out term by term (a batch of seeds' tiny matrices): at most 64 multiplications. */
function unrollable(g: Gemm): boolean {
  return g.m * g.n * g.k <= 64;
}

/**
 * Many tiny products in one generated loop over the batch, each product written out term by term
 * with its offsets as literals: the sums in gemmReference's order (0, then p = 0, 1, … added in
 * turn), so the values are gemmReference's, bit for bit.
 */
function unrolledBatch(g: Gemm, aOffsets: Int32Array, bOffsets: Int32Array): (a: Float64Array, b: Float64Array, c: Float64Array) => void {
  const { m, n, k, transA, transB } = g;
  const sAi = transA ? 1 : k;
  const sAp = transA ? m : 1;
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  const lines: string[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = '0';
      for (let p = 0; p < k; p++) sum = `(${sum} + a[ao + ${i * sAi + p * sAp}] * b[bo + ${p * sBp + j * sBj}])`;
      lines.push(`c[co + ${i * n + j}] = ${sum};`);
    }
  }
  const body = `for (let t = 0; t < count; t++) { const ao = aOffsets[t]; const bo = bOffsets[t]; const co = t * ${m * n}; ${lines.join(' ')} }`;
  const run = new Function('a', 'b', 'c', 'aOffsets', 'bOffsets', 'count', body) as (a: Float64Array, b: Float64Array, c: Float64Array, ao: Int32Array, bo: Int32Array, count: number) => void;
  const count = aOffsets.length;
  return (a, b, c) => run(a, b, c, aOffsets, bOffsets, count);
}

/** A batched product: one Gemm per batch index, inputs read at their broadcast offsets, by the selected backend. */
export function batchedGemm(g: Gemm, aOffsets: Int32Array, bOffsets: Int32Array): (a: Float64Array, b: Float64Array, c: Float64Array) => void {
  const count = aOffsets.length;
  const cSize = g.m * g.n;
  if (g.m * g.n * g.k <= SMALL_PRODUCT) {
    if (count === 1) return (a, b, c) => gemmReference(g, a, aOffsets[0]!, b, bOffsets[0]!, c, 0);
    if (kernelMode() === 'generated' && unrollable(g)) return unrolledBatch(g, aOffsets, bOffsets);
    return (a, b, c) => {
      for (let t = 0; t < count; t++) gemmReference(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize);
    };
  }
  return (a, b, c) => {
    // read at every run, so the backend can be switched between runs of a compiled plan
    const gemm = selectedKernel('matmul');
    for (let t = 0; t < count; t++) {
      // a B shared by consecutive batch entries (broadcast) is packed once
      const samePanel = t > 0 && bOffsets[t] === bOffsets[t - 1];
      gemm(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize, samePanel);
    }
  };
}
