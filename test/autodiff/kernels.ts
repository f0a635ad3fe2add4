// Test helper: single products on the selected or the plain-JS backend, the WebAssembly exp (which the package itself does not
// call), and the row kernels' backend switched as one.
import { gemmPacked } from '../../packages/autodiff/src/kernels/matmul-js.js';
import { gemmReference, SMALL_PRODUCT, type Gemm } from '../../packages/autodiff/src/kernels/matmul.js';
import { kernelBackend, selectedKernel, setKernelBackend, type Backend } from '../../packages/autodiff/src/kernels/registry.js';
import { WASM_BASE64 } from '../../packages/autodiff/src/kernels/wasm/exp-module.js';
import { instantiate, type WasmMemory } from '../../packages/autodiff/src/kernels/wasm/instantiate.js';

type Product = (g: Gemm, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, cOff: number) => void;

/** One product as a plan runs it: the reference loop for tiny products, else the selected backend's kernel. */
export const gemmFast: Product = (g, a, aOff, b, bOff, c, cOff) => {
  if (g.m * g.n * g.k <= SMALL_PRODUCT) gemmReference(g, a, aOff, b, bOff, c, cOff);
  else selectedKernel('matmul')(g, a, aOff, b, bOff, c, cOff, false);
};

/** One product by the plain-JS backend (the reference loop for tiny products). */
export const gemmBlocked: Product = (g, a, aOff, b, bOff, c, cOff) => {
  if (g.m * g.n * g.k <= SMALL_PRODUCT) gemmReference(g, a, aOff, b, bOff, c, cOff);
  else gemmPacked(g, a, aOff, b, bOff, c, cOff, false);
};

interface ExpModule {
  readonly exp: (src: number, dst: number, count: number) => void;
  readonly memory: WasmMemory;
}

/** exp.wat's own exp (the one its softmax and logsumexp use), instantiated here. */
const expModule = instantiate(WASM_BASE64, { js: { exp: Math.exp } }) as unknown as ExpModule | null;

/** dst[i] = exp(x[i]) for i < count by the WebAssembly exp, in blocks of `block` doubles. */
export function expWasm(x: Float64Array, dst: Float64Array, count: number, block = 1 << 14): void {
  const m = expModule!;
  const need = 2 * block * 8 - m.memory.buffer.byteLength;
  if (need > 0) m.memory.grow(Math.ceil(need / 65536));
  const heap = new Float64Array(m.memory.buffer);
  for (let lo = 0; lo < count; lo += block) {
    const size = Math.min(block, count - lo);
    heap.set(x.subarray(lo, lo + size), 0);
    m.exp(0, block * 8, size);
    dst.set(heap.subarray(block, block + size), lo);
  }
}

/** The row kernels (softmax and logsumexp over a trailing axis), switched together. */
export const rowKernels = {
  backend: (): Backend => kernelBackend('softmax'),
  select(backend: Backend): void {
    setKernelBackend('softmax', backend);
    setKernelBackend('logsumexp', backend);
  },
};
