// The plain-JS matrix product: packed panels and a 4 × 4 register tile, the backend of last resort.
import type { Gemm } from './matmul.js';
import { KC, MC, MR, NR, packCols, packRows } from './pack.js';

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
export function gemmPacked(g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number, packedB: boolean): void {
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
