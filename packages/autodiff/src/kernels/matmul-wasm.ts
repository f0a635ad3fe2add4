// The WebAssembly SIMD matmul: JS packs op(A) and op(B) straight into the module's memory, the
// hand-written f64x2 macro-kernel (wasm/gemm.wat) computes whole 4 × 4 tiles of a C block there,
// and JS copies (or, past the first k chunk, adds) the block out into C.
import { KC, MC, MR, NR, packCols, packRows } from './pack.js';
import { WASM_BASE64 } from './wasm/generated/gemm.js';
import { instantiate, type WasmMemory } from './wasm/instantiate.js';
import type { Gemm } from './matmul.js';

/**
 * Columns of C per block: the packed B block (NC × KC doubles, 2 MiB) and the C block
 * (MC × NC, 512 KiB) bound the module's memory whatever the shapes (~2.7 MiB in all).
 */
export const NC = 1024;

type Macro = (pa: number, pb: number, pc: number, mp: number, np: number, kc: number, ldc: number, first: number) => void;
type Pack = (src: number, si: number, sp: number, out: number, rows: number, kc: number) => void;
type MacroStrided = (
  pa: number, aPanel: number, lda: number, rowA: number, pb: number, bPanel: number, ldb: number,
  pc: number, mp: number, np: number, kc: number, ldc: number,
) => void;

interface WasmGemm {
  readonly macro: Macro;
  readonly macroStrided: MacroStrided;
  readonly pack: Pack;
  readonly memory: WasmMemory;
}

/** The instantiated module, or null where WebAssembly (or its SIMD) is unavailable. */
function load(): WasmGemm | null {
  const exports = instantiate(WASM_BASE64);
  if (exports === null) return null;
  const e = exports as unknown as WasmGemm;
  return { macro: e.macro, macroStrided: exports['macro_strided'] as MacroStrided, pack: e.pack, memory: e.memory };
}

const wasm = load();

/** Whether the WebAssembly kernel could be loaded in this runtime. */
export const wasmGemmAvailable: boolean = wasm !== null;

// Regions of the module's memory, in doubles: packed A, the C block, packed B, then the raw
// (unpacked) blocks of A and B copied in when they are contiguous in their Float64Array, with
// 4 doubles of slack at the end.
const A_AT = 0;
const C_AT = MC * KC;
const B_AT = C_AT + MC * NC + 4; // + the spill of the last tile past the C block (gemm.wat)
const RAW_A = B_AT + NC * KC;
const RAW_B = RAW_A + MC * KC;
const TOTAL = RAW_B + NC * KC + 4;

/** A Float64Array view over the module's memory, made again only when the memory grows. */
let heap = new Float64Array(0);
/** How often the memory grew (it grows once, to TOTAL doubles; tests check it stays put). */
let grows = 0;

function ensureMemory(): Float64Array {
  if (heap.length >= TOTAL) return heap;
  const memory = wasm!.memory;
  const need = TOTAL * 8 - memory.buffer.byteLength;
  if (need > 0) {
    memory.grow(Math.ceil(need / 65536));
    grows++;
  }
  heap = new Float64Array(memory.buffer);
  return heap;
}

/** Bytes of the module's memory and how many times it grew (for tests and benches). */
export function wasmGemmMemory(): { bytes: number; grows: number } {
  return { bytes: wasm ? wasm.memory.buffer.byteLength : 0, grows };
}

/**
 * C = op(A)·op(B) through the WebAssembly kernel. Loops: column blocks of NC, k chunks (B packed
 * once per chunk and block), row blocks (A packed per block). Each C element is summed k
 * ascending within a chunk, chunks added in order, no fused multiply-add: with k <= KC (one
 * chunk in both) the result is bit-identical to the JS blocked kernel's; longer chunks for
 * skinny products group the partial sums differently.
 * `packedB`: op(B) is already in the module's memory from the previous call (a batch that
 * broadcasts one B), valid only when B was a single block.
 */
export function gemmWasm(
  g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number, packedB = false,
): void {
  const { m, n, k, transA, transB } = g;
  const h = ensureMemory();
  const macro = wasm!.macro;
  const pack = wasm!.pack;
  // Block sizes: k in chunks of KC and rows in blocks of MC, unless the operands are skinny:
  // with few rows (m <= MC) the k chunk grows until the packed A or B region is full, with a
  // short k the row block grows until the A or C region is full (each call and copy then
  // moves more; P^T X with m = 10, k = 1e4 took 40 chunks, X W^T with k = 5 took m/64 blocks).
  const nc0 = Math.min(n, NC);
  const ncPad = Math.ceil(nc0 / NR) * NR;
  const kStep = m <= MC
    ? Math.max(KC, Math.min(k, Math.floor((MC * KC) / (Math.ceil(m / MR) * MR)), Math.floor((NC * KC) / ncPad)))
    : KC;
  const kcMax = Math.min(k, kStep);
  const ldcMax = nc0 === n ? n : ncPad;
  const mStep = Math.max(MC, Math.min(Math.floor((MC * KC) / kcMax), Math.floor((MC * NC) / ldcMax)) & ~(MR - 1));
  const single = k <= kStep && n <= NC;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    const nPanels = Math.ceil(nc / NR);
    // a block of whole rows of C is computed in place with row stride n (exact rows, copied out
    // with one memcpy); otherwise with padded rows of whole tiles
    const whole = nc === n;
    const ldc = whole ? n : nPanels * NR;
    for (let p0 = 0; p0 < k; p0 += kStep) {
      const kc = Math.min(kStep, k - p0);
      const first = p0 === 0;
      // B: a row-major block whose rows are whole rows of B is copied in and read where it lies
      // (strided kernel, no packing); Bᵀ blocks are packed, in WebAssembly when contiguous
      // (not with a row stride that is a multiple of 2 KiB: the rows of a panel would then share
      // few L1 sets and evict each other, n = 512 ran at 16 GFLOP/s instead of 25)
      const rawB = !transB && nc === n && n % 256 !== 0;
      if (!(packedB && single)) {
        if (rawB) {
          h.set(b.subarray(bOff + p0 * n, bOff + (p0 + kc) * n), RAW_B);
        } else if (transB && kc === k) {
          h.set(b.subarray(bOff + j0 * k, bOff + (j0 + nc) * k), RAW_B);
          pack(RAW_B * 8, k, 1, B_AT * 8, nc, kc);
        } else packCols(b, bOff, k, n, transB, p0, kc, h, B_AT, j0, nc);
      }
      for (let m0 = 0; m0 < m; m0 += mStep) {
        const mc = Math.min(mStep, m - m0);
        const mp = Math.ceil(mc / MR);
        // A: a contiguous block is copied in and read where it lies; otherwise packed from JS
        let rawA = true;
        let aPanel = 0;
        let lda = 0;
        let rowA = 0;
        if (transA && mc === m && m % 256 !== 0) {
          h.set(a.subarray(aOff + p0 * m, aOff + (p0 + kc) * m), RAW_A);
          aPanel = 4 * 8;
          lda = m * 8;
          rowA = 8;
        } else if (!transA && kc === k) {
          h.set(a.subarray(aOff + m0 * k, aOff + (m0 + mc) * k), RAW_A);
          aPanel = 4 * k * 8;
          lda = 8;
          rowA = k * 8;
        } else {
          packRows(a, aOff, m, k, transA, m0, mc, p0, kc, h, A_AT);
          rawA = false;
        }
        if (!rawA && !rawB) macro(A_AT * 8, B_AT * 8, C_AT * 8, mp, nPanels, kc, ldc, 1);
        else {
          wasm!.macroStrided(
            rawA ? RAW_A * 8 : A_AT * 8, rawA ? aPanel : kc * 32, rawA ? lda : 32, rawA ? rowA : 8,
            rawB ? RAW_B * 8 : B_AT * 8, rawB ? 32 : kc * 32, rawB ? n * 8 : 32,
            C_AT * 8, mp, nPanels, kc, ldc,
          );
        }
        // copy the block out: rows [m0, m0 + mc), columns [j0, j0 + nc)
        if (whole) {
          const o = cOff + m0 * n;
          const size = mc * n;
          if (first) c.set(h.subarray(C_AT, C_AT + size), o);
          else for (let q = 0; q < size; q++) c[o + q] = c[o + q]! + h[C_AT + q]!;
          continue;
        }
        for (let r = 0; r < mc; r++) {
          const o = cOff + (m0 + r) * n + j0;
          const s = C_AT + r * ldc;
          if (first) for (let q = 0; q < nc; q++) c[o + q] = h[s + q]!;
          else for (let q = 0; q < nc; q++) c[o + q] = c[o + q]! + h[s + q]!;
        }
      }
    }
  }
}
