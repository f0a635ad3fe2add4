// Autodiff benchmarks: compiled per-op overhead, matmul GFLOP/s, exp throughput, each beside a hand loop.
import * as ad from '../packages/autodiff/dist/index.js';
import { nsPerCall, row } from './timing.mjs';

export function benchAutodiff() {
  console.log('\n## @descent/autodiff');

  // Per-op overhead: a chain of 100 dependent 10x10 adds in one plan.
  const chain = 100;
  const c = new ad.Random(1).randn([10, 10]);
  const plan = ad.compile((x) => {
    let y = x;
    for (let i = 0; i < chain; i++) y = ad.add(y, c);
    return y;
  }, [[10, 10]]);
  plan.run([c]);
  const planNs = nsPerCall(() => plan.execute(), { inner: 100 }) / chain;
  const a = new Float64Array(100).fill(1);
  const bufs = Array.from({ length: chain + 1 }, () => new Float64Array(100));
  const cd = c.data;
  const handNs =
    nsPerCall(
      () => {
        bufs[0].set(a);
        for (let k = 0; k < chain; k++) {
          const src = bufs[k], dst = bufs[k + 1];
          for (let i = 0; i < 100; i++) dst[i] = src[i] + cd[i];
        }
      },
      { inner: 100 },
    ) / chain;
  row('compiled plan, 10x10 add (chain fused into one loop)', planNs, 'ns/op', handNs);
  // the per-op cost proper: the same chain with fusion off, one kernel call per add
  const input = ad.placeholder([10, 10], 'x');
  let sum = input;
  for (let i = 0; i < chain; i++) sum = ad.add(sum, c);
  const unfused = ad.planOf([input], [sum], { passes: ad.OPTIONAL_PASSES.filter((p) => p !== 'fuse') });
  unfused.run([c]);
  const unfusedNs = nsPerCall(() => unfused.execute(), { inner: 100 }) / chain;
  row('compiled plan, 10x10 add, one kernel per op', unfusedNs, 'ns/op', handNs);
  row('compiled plan, per-op overhead (unfused − hand)', Math.max(0, unfusedNs - handNs), 'ns/op');

  // matmul GFLOP/s: the compiled plan on each backend (native, the default where it was built;
  // WASM SIMD, the default otherwise; plain-JS blocked, the last fallback), beside the hand loop
  const initialBackend = ad.kernelBackend('matmul');
  const available = ad.kernelBackends('matmul');
  for (const n of [64, 256, 512]) {
    const rng = new ad.Random(n);
    const A = rng.randn([n, n]);
    const B = rng.randn([n, n]);
    const flops = 2 * n * n * n;
    const mm = ad.compile((x, y) => ad.matmul(x, y), [[n, n], [n, n]]);
    const timed = (backend) => {
      ad.setKernelBackend('matmul', backend);
      mm.run([A, B]);
      return nsPerCall(() => mm.execute(), { inner: 1, minMs: n >= 512 ? 1500 : 500 });
    };
    const jsNs = timed('js');
    const ns = available.includes('wasm') ? timed('wasm') : NaN;
    const nativeNs = available.includes('native') ? timed('native') : NaN;
    ad.setKernelBackend('matmul', initialBackend);
    const out = new Float64Array(n * n);
    const Ad = A.data, Bd = B.data;
    // the loop a careful user writes by hand: i-k-j order, row of B streamed
    const hand = () => {
      out.fill(0);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          const aik = Ad[i * n + k];
          const bo = k * n, oo = i * n;
          for (let j = 0; j < n; j++) out[oo + j] += aik * Bd[bo + j];
        }
      }
    };
    const handMs = nsPerCall(hand, { inner: 1, minMs: n >= 512 ? 1500 : 500 });
    if (available.includes('native')) row(`matmul n=${n} (native ${ad.nativeStatus.isa})`, flops / nativeNs, 'GFLOP/s', flops / handMs);
    else console.log(`matmul n=${n} (native)`.padEnd(44), `not in use: ${ad.nativeStatus.reason}`);
    row(`matmul n=${n} (wasm simd)`, flops / ns, 'GFLOP/s', flops / handMs);
    row(`matmul n=${n} (js blocked)`, flops / jsNs, 'GFLOP/s', flops / handMs);
  }

  // exp throughput over 1e6 elements
  const N = 1_000_000;
  const x = new ad.Random(3).rand([N], -5, 5);
  const ep = ad.compile((v) => ad.exp(v), [[N]]);
  ep.run([x]);
  const expNs = nsPerCall(() => ep.execute(), { minMs: 500 }) / N;
  const xo = new Float64Array(N), xd = x.data;
  const handExp = nsPerCall(() => {
    for (let i = 0; i < N; i++) xo[i] = Math.exp(xd[i]);
  }, { minMs: 500 }) / N;
  row('exp throughput (1e6 elements)', expNs, 'ns/element', handExp);
}
