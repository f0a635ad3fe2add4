// Packing of op(A) and op(B) into the panels the register-tiled matmul kernels stream (JS and WASM).

// The blocked kernel: register tile of MR × NR = 4 × 4 accumulators. op(A) is packed into panels of
// 4 rows stored column by column (pa[panel·4k + p·4 + r]) and op(B) into panels of 4 columns
// stored row by row (pb[panel·4k + p·4 + c]), zero-padded at the edges. The micro-kernel then
// streams both panels contiguously along k, whatever the transposes were: packing costs O(mk + kn)
// against the O(mnk) product. Measured on the development VM: ~6 GFLOP/s at n = 256 against ~1.7
// for the plain loop (bench/matmul.mjs).
export const MR = 4;
export const NR = 4;

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
  const panels = Math.ceil(mc / MR);
  for (let ip = 0; ip < panels; ip++) {
    const base = outOff + ip * MR * kc;
    const rows = Math.min(MR, mc - ip * MR);
    const first = aOff + (i0 + ip * MR) * sAi + p0 * sAp;
    if (transA && rows === MR) {
      // op(A) columns are stored rows: read 4 neighbours per p, in memory order
      for (let p = 0, src = first, o = base; p < kc; p++, src += sAp, o += MR) {
        out[o] = a[src]!; out[o + 1] = a[src + 1]!; out[o + 2] = a[src + 2]!; out[o + 3] = a[src + 3]!;
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      if (r >= rows) {
        for (let p = 0; p < kc; p++) out[base + p * MR + r] = 0;
        continue;
      }
      let src = first + r * sAi;
      for (let p = 0; p < kc; p++, src += sAp) out[base + p * MR + r] = a[src]!;
    }
  }
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
  const panels = Math.ceil(nc / NR);
  for (let jp = 0; jp < panels; jp++) {
    const base = outOff + jp * NR * kc;
    const cols = Math.min(NR, nc - jp * NR);
    const first = bOff + (j0 + jp * NR) * sBj + p0 * sBp;
    if (!transB && cols === NR) {
      // op(B) rows are stored rows: read 4 neighbours per p, in memory order
      for (let p = 0, src = first, o = base; p < kc; p++, src += sBp, o += NR) {
        out[o] = b[src]!; out[o + 1] = b[src + 1]!; out[o + 2] = b[src + 2]!; out[o + 3] = b[src + 3]!;
      }
      continue;
    }
    for (let cc = 0; cc < NR; cc++) {
      if (cc >= cols) {
        for (let p = 0; p < kc; p++) out[base + p * NR + cc] = 0;
        continue;
      }
      let src = first + cc * sBj;
      for (let p = 0; p < kc; p++, src += sBp) out[base + p * NR + cc] = b[src]!;
    }
  }
}

// Cache blocking: k in chunks of KC so that a 4 × KC panel of B (8 KB) stays in L1 and an
// MC × KC block of packed A (128 KB) in L2 while the micro-kernel sweeps it; C accumulates over
// the k chunks. Without it a long k (P^T X over 1e5 samples) streamed whole panels from memory
// and ran at ~2 GFLOP/s.
export const KC = 256;
export const MC = 64;

