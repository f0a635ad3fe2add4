// Packing of op(A) and op(B) into the panels the register-tiled matmul kernels stream (JS and WASM).

// The blocked kernel: register tile of MR × NR = 4 × 4 accumulators. op(A) is packed into panels of
// 4 rows stored column by column (pa[panel·4k + p·4 + r]) and op(B) into panels of 4 columns
// stored row by row (pb[panel·4k + p·4 + c]), zero-padded at the edges. The micro-kernel then
// streams both panels contiguously along k, whatever the transposes were: packing costs O(mk + kn)
// against the O(mnk) product (bench/matmul.mjs prints its GFLOP/s beside the plain loop's).
export const MR = 4;
export const NR = 4;

/**
 * Packs `lines` lines of length kc into panels of 4 lines (MR = NR = 4) stored p by p, zero lines past the end:
 * out[outOff + panel · 4kc + p · 4 + l] = element p of line (panel · 4 + l), which is
 * src[first + line · sl + p · sp]. The rows of op(A) and the columns of op(B) are both packed so.
 */
function packPanels(
  src: Float64Array, first: number, sl: number, sp: number, lines: number, kc: number, out: Float64Array, outOff: number,
): void {
  const panels = Math.ceil(lines / 4);
  for (let q = 0; q < panels; q++) {
    const base = outOff + q * 4 * kc;
    const count = Math.min(4, lines - q * 4);
    const start = first + q * 4 * sl;
    if (sl === 1 && count === 4) {
      // the 4 lines are neighbours in memory: read them together per p, in memory order
      for (let p = 0, at = start, o = base; p < kc; p++, at += sp, o += 4) {
        out[o] = src[at]!; out[o + 1] = src[at + 1]!; out[o + 2] = src[at + 2]!; out[o + 3] = src[at + 3]!;
      }
      continue;
    }
    for (let l = 0; l < 4; l++) {
      if (l >= count) {
        for (let p = 0; p < kc; p++) out[base + p * 4 + l] = 0;
        continue;
      }
      let at = start + l * sl;
      for (let p = 0; p < kc; p++, at += sp) out[base + p * 4 + l] = src[at]!;
    }
  }
}

/**
 * Packs rows [i0, i0 + mc) and columns [p0, p0 + kc) of op(A) (op(A) is [m, k]) into 4-row
 * panels stored column by column, zero rows past m.
 */
export function packRows(
  a: Float64Array, aOff: number, m: number, k: number, transA: boolean,
  i0: number, mc: number, p0: number, kc: number, out: Float64Array, outOff = 0,
): void {
  const sAi = transA ? 1 : k;
  const sAp = transA ? m : 1;
  packPanels(a, aOff + i0 * sAi + p0 * sAp, sAi, sAp, mc, kc, out, outOff);
}

/**
 * Packs rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) (op(B) is [k, n]) into 4-column
 * panels, zero columns past the block.
 */
export function packCols(
  b: Float64Array, bOff: number, k: number, n: number, transB: boolean, p0: number, kc: number, out: Float64Array,
  outOff = 0, j0 = 0, nc = n,
): void {
  const sBp = transB ? 1 : n;
  const sBj = transB ? k : 1;
  packPanels(b, bOff + j0 * sBj + p0 * sBp, sBj, sBp, nc, kc, out, outOff);
}

// Cache blocking: k in chunks of KC so that a 4 × KC panel of B (8 KB) stays in L1 and an
// MC × KC block of packed A (128 KB) in L2 while the micro-kernel sweeps it; C accumulates over
// the k chunks. Without it a long k (P^T X over 1e5 samples) streamed whole panels from memory
// and ran at ~2 GFLOP/s.
export const KC = 256;
export const MC = 64;

