// Matmul throughput: the native kernel (where built; its cache blocking printed first), the WASM SIMD kernel, the JS blocked
// kernel, the reference kernel and plain Float64Array loops, in GFLOP/s (run after `pnpm build`). `sym` is XᵀX of one buffer.
import { gemmReference } from '../packages/autodiff/dist/kernels/matmul.js';
import { gemmPacked } from '../packages/autodiff/dist/kernels/matmul-js.js';
import { gemmWasm } from '../packages/autodiff/dist/kernels/matmul-wasm.js';
import { compile, matmul } from '../packages/autodiff/dist/index.js';
import { nativeAddon, nativeKernels } from '../packages/autodiff/dist/kernels/native.js';

/** The plain hand-written loop a user would write: i-p-j order, row-major, into a preallocated C. */
function plainLoop(a, b, c, n) {
  c.fill(0);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const av = a[i * n + p];
      for (let j = 0; j < n; j++) c[i * n + j] += av * b[p * n + j];
    }
  }
}

/** Best of 3 timings of enough repetitions for ~0.3 GFLOP each, as GFLOP/s. */
function gflops(n, f) {
  const flops = 2 * n ** 3;
  const reps = Math.max(1, Math.round(3e8 / flops));
  for (let w = 0; w < Math.min(reps, 3); w++) f();
  let best = Infinity;
  for (let t = 0; t < 3; t++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return flops / best / 1e6;
}

if (nativeAddon !== null && typeof nativeAddon.blocking === 'string') console.log(`native ${nativeAddon.isa}: ${nativeAddon.blocking}`);

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
for (const n of sizes.length ? sizes : [64, 256, 512]) {
  const a = Float64Array.from({ length: n * n }, () => Math.random() - 0.5);
  const b = Float64Array.from({ length: n * n }, () => Math.random() - 0.5);
  const c = new Float64Array(n * n);
  const row = { n };
  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const g = { m: n, n, k: n, transA, transB };
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    if (nativeKernels !== null) row[`native${tag}`] = gflops(n, () => nativeKernels.gemm(n, n, n, (transA ? 1 : 0) | (transB ? 2 : 0), a, 0, b, 0, c, 0));
    row[`wasm${tag}`] = gflops(n, () => gemmWasm(g, a, 0, b, 0, c, 0));
    row[`js${tag}`] = gflops(n, () => gemmPacked(g, a, 0, b, 0, c, 0, false));
  }
  if (nativeKernels !== null) row.nativeSym = gflops(n, () => nativeKernels.gemm(n, n, n, 1, a, 0, a, 0, c, 0));
  const plan = compile((x, y) => matmul(x, y), [[n, n], [n, n]]);
  const inputs = [a, b];
  row.plan = gflops(n, () => plan.run(inputs));
  row.reference = gflops(n, () => gemmReference({ m: n, n, k: n, transA: false, transB: false }, a, 0, b, 0, c, 0));
  row.plainLoop = gflops(n, () => plainLoop(a, b, c, n));
  console.log(Object.entries(row).map(([k, v]) => `${k} ${k === 'n' ? v : v.toFixed(2)}`).join('  '));
}
