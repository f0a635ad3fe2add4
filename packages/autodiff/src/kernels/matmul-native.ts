// The native matmul (native/gemm.c through kernels/native.ts): packed panels and a register tile of
// the machine's widest vectors with fused multiply-adds, ~4x the WebAssembly kernel at n = 400.
import { nativeKernels } from './native.js';
import type { Gemm } from './matmul.js';

/** Whether the native kernel can be selected. */
export const nativeGemmAvailable: boolean = nativeKernels !== null;

/** C = op(A)·op(B) by the native kernel (only call where `nativeGemmAvailable`). */
export function gemmNative(g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number): void {
  nativeKernels!.gemm(g.m, g.n, g.k, (g.transA ? 1 : 0) | (g.transB ? 2 : 0), a, aOff, b, bOff, c, cOff);
}
