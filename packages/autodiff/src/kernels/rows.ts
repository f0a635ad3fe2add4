// Which kernels the exp-heavy row reductions use (softmax and logsumexp over a trailing axis):
// 'native' (the compiled addon, the default where it loads), 'wasm' (WebAssembly SIMD, the
// default otherwise) or 'js' (the loops in softmax.ts and the generated reductions, the reference
// the others are tested against). Read at every run, so it can be switched between runs of a plan.
import { logsumexpRowsWasm, softmaxRowsWasm, useWasmRows, wasmExpAvailable } from './exp-wasm.js';
import { nativeKernels } from './native.js';

export type ExpBackend = 'native' | 'wasm' | 'js';
let backend: ExpBackend = nativeKernels !== null ? 'native' : wasmExpAvailable ? 'wasm' : 'js';

export function expBackend(): ExpBackend {
  return backend;
}

/** Selects the row kernels' backend; one that is unavailable here throws. */
export function setExpBackend(b: ExpBackend): void {
  if (b === 'wasm' && !wasmExpAvailable) throw new Error('the WebAssembly exp kernels are not available here');
  if (b === 'native' && nativeKernels === null) throw new Error('the native exp kernels are not available here');
  backend = b;
}

/**
 * Softmax of `rows` rows of n values (x to out, which may be the same array; each row's logsumexp
 * into lse when given; rows of -inf give 0s with `emptyAsZero`, NaN otherwise) by the selected
 * fast backend. Returns false when the caller's JS loop must do it (the 'js' backend, or rows too
 * long for the WebAssembly blocks).
 */
export function softmaxRows(x: Float64Array, out: Float64Array, rows: number, n: number, lse?: Float64Array, emptyAsZero = false): boolean {
  if (backend === 'native') nativeKernels!.softmax(x, out, rows, n, lse ?? null, emptyAsZero);
  else if (backend === 'wasm' && useWasmRows(n)) {
    softmaxRowsWasm(x, out, rows, n, lse);
    if (emptyAsZero) zeroEmptyRows(x, out, rows, n);
  } else return false;
  return true;
}

/**
 * Rows of x that are all -inf get 0s in out (the WebAssembly kernel gave them NaN). A NaN first
 * value is the cheap sign; the row is then checked, since a NaN input also gives NaN and keeps it.
 */
function zeroEmptyRows(x: Float64Array, out: Float64Array, rows: number, n: number): void {
  for (let o = 0, base = 0; o < rows; o++, base += n) {
    const first = out[base]!;
    if (first === first) continue;
    let empty = true;
    for (let i = base; i < base + n; i++) if (x[i] !== -Infinity) empty = false;
    if (empty) out.fill(0, base, base + n);
  }
}

/** out[o] = logsumexp of row o by the selected fast backend; false when the JS reduction must do it. */
export function logsumexpRows(x: Float64Array, out: Float64Array, rows: number, n: number): boolean {
  if (backend === 'native') nativeKernels!.logsumexp(x, out, rows, n);
  else if (backend === 'wasm' && useWasmRows(n)) logsumexpRowsWasm(x, out, rows, n);
  else return false;
  return true;
}
