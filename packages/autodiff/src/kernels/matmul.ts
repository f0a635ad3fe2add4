// Matrix-product kernels (reference and register-blocked, all four transpose combinations) and batch offsets.
import { broadcastStrides, sizeOf, type Shape } from '../shape.js';
import { gemmNative, nativeGemmAvailable } from './matmul-native.js';
import { gemmWasm, wasmGemmAvailable } from './matmul-wasm.js';
import { KC, MC, MR, NR, packCols, packRows } from './pack.js';

/**
 * One matrix product C = op(A) · op(B), with op(A) of shape [m, k] and op(B) of shape [k, n].
 * A is stored row-major as [m, k], or as [k, m] when `transA`; B as [k, n], or [n, k] when
 * `transB`. C is [m, n]. Offsets say where each matrix starts in its buffer.
 */
export interface Gemm {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
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

/** Scratch for packed panels, shared by every blocked product (JS runs one kernel at a time). */
let packA = new Float64Array(0);
let packB = new Float64Array(0);
/** A 4 × 4 tile for edge tiles that only partly fit in C. */
const edge = new Float64Array(MR * NR);

/** Grows the packing scratch once so that steady-state runs allocate nothing. */
function ensureScratch(sizeA: number, sizeB: number): void {
  if (packA.length < sizeA) packA = new Float64Array(sizeA);
  if (packB.length < sizeB) packB = new Float64Array(sizeB);
}

/**
 * C = op(A)·op(B) with packed panels and a 4 × 4 register tile (16 accumulators, k innermost).
 * `packedB`: op(B) is already packed in the scratch (a batch that reuses the same B; only
 * valid when k fits one KC chunk).
 */
function gemmPacked(g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number, packedB: boolean): void {
  const { m, n, k } = g;
  const nPanels = Math.ceil(n / NR);
  const kcMax = Math.min(k, KC);
  ensureScratch(Math.ceil(Math.min(m, MC) / MR) * MR * kcMax, nPanels * NR * kcMax);
  const pa = packA;
  const pb = packB;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const first = p0 === 0;
    if (!(packedB && k <= KC)) packCols(b, bOff, k, n, g.transB, p0, kc, pb);
    for (let m0 = 0; m0 < m; m0 += MC) {
      const mc = Math.min(MC, m - m0);
      packRows(a, aOff, m, k, g.transA, m0, mc, p0, kc, pa);
      const mPanels = Math.ceil(mc / MR);
      // B panel outer: one 4 × kc panel of B stays in L1 while the A panels stream past it
      for (let jp = 0; jp < nPanels; jp++) {
        const bBase = jp * NR * kc;
        const j0 = jp * NR;
        const fullCols = j0 + NR <= n;
        for (let ip = 0; ip < mPanels; ip++) {
          const aBase = ip * MR * kc;
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
          let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
          let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          for (let p = 0, ia = aBase, ib = bBase; p < kc; p++, ia += MR, ib += NR) {
            const a0 = pa[ia]!, a1 = pa[ia + 1]!, a2 = pa[ia + 2]!, a3 = pa[ia + 3]!;
            const b0 = pb[ib]!, b1 = pb[ib + 1]!, b2 = pb[ib + 2]!, b3 = pb[ib + 3]!;
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
          }
          const i0 = m0 + ip * MR;
          if (fullCols && i0 + MR <= m) {
            let o = cOff + i0 * n + j0;
            if (first) {
              c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
              o += n;
              c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
              o += n;
              c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
              o += n;
              c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
            } else {
              c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
              o += n;
              c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13;
              o += n;
              c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23;
              o += n;
              c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
            }
          } else {
            // an edge tile: write only the rows and columns that exist
            edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
            edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
            edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
            edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
            const rows = Math.min(MR, m - i0);
            const cols = Math.min(NR, n - j0);
            for (let r = 0; r < rows; r++) {
              const o = cOff + (i0 + r) * n + j0;
              if (first) for (let q = 0; q < cols; q++) c[o + q] = edge[r * NR + q]!;
              else for (let q = 0; q < cols; q++) c[o + q] = c[o + q]! + edge[r * NR + q]!;
            }
          }
        }
      }
    }
  }
}

/** Below this many multiply-adds the reference loop wins: packing is not worth it. */
const SMALL = 8 * 8 * 8;

/** The plain-JS fast kernel: register-blocked with packing, or the plain loop for tiny products. */
export const gemmBlocked: GemmKernel = (g, a, aOff, b, bOff, c, cOff) => {
  if (g.m * g.n * g.k <= SMALL) gemmReference(g, a, aOff, b, bOff, c, cOff);
  else gemmPacked(g, a, aOff, b, bOff, c, cOff, false);
};

/**
 * Which kernel the fast path uses: 'native' (the compiled addon, the default where it was built
 * and loads), 'wasm' (the WebAssembly SIMD kernel, the default otherwise) or 'js' (the plain-JS
 * blocked kernel, the last fallback and the reference both are tested against). Read at every
 * product, so it can be switched between runs of a compiled plan.
 */
export type MatmulBackend = 'native' | 'wasm' | 'js';
let backend: MatmulBackend = nativeGemmAvailable ? 'native' : wasmGemmAvailable ? 'wasm' : 'js';

export function matmulBackend(): MatmulBackend {
  return backend;
}

/** Selects the fast path's kernel; one that is unavailable here throws. */
export function setMatmulBackend(b: MatmulBackend): void {
  if (b === 'wasm' && !wasmGemmAvailable) throw new Error('the WebAssembly matmul kernel is not available here');
  if (b === 'native' && !nativeGemmAvailable) throw new Error('the native matmul kernel is not available here');
  backend = b;
}

/** The fast kernel: the selected backend's blocked product, or the plain loop for tiny products. */
export const gemmFast: GemmKernel = (g, a, aOff, b, bOff, c, cOff) => {
  if (g.m * g.n * g.k <= SMALL) gemmReference(g, a, aOff, b, bOff, c, cOff);
  else if (backend === 'native') gemmNative(g, a, aOff, b, bOff, c, cOff);
  else if (backend === 'wasm') gemmWasm(g, a, aOff, b, bOff, c, cOff, false);
  else gemmPacked(g, a, aOff, b, bOff, c, cOff, false);
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

/** A batched product: one Gemm per batch index, inputs read at their broadcast offsets. */
export function batchedGemm(
  g: Gemm,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  kernel: 'fast' | 'blocked' | 'reference' = 'fast',
): (a: Float64Array, b: Float64Array, c: Float64Array) => void {
  const count = aOffsets.length;
  const cSize = g.m * g.n;
  if (kernel === 'reference' || g.m * g.n * g.k <= SMALL) {
    return (a, b, c) => {
      for (let t = 0; t < count; t++) gemmReference(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize);
    };
  }
  return (a, b, c) => {
    if (kernel === 'fast' && backend === 'native') {
      for (let t = 0; t < count; t++) gemmNative(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize);
      return;
    }
    const useWasm = kernel === 'fast' && backend === 'wasm';
    for (let t = 0; t < count; t++) {
      // a B shared by consecutive batch entries (broadcast) is packed once
      const samePanel = t > 0 && bOffsets[t] === bOffsets[t - 1];
      if (useWasm) gemmWasm(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize, samePanel);
      else gemmPacked(g, a, aOffsets[t]!, b, bOffsets[t]!, c, t * cSize, samePanel);
    }
  };
}
