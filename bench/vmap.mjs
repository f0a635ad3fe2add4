// vmap: per-example gradients of an MLP, one compiled plan batched by vmap against one with a loop over examples.
import * as ad from '../packages/autodiff/dist/index.js';
import { fmt, nsPerCall } from './timing.mjs';

export function benchVmap() {
  console.log('\n## vmap (per-example gradients of a 2-16-1 tanh MLP, compiled)');
  const rng = new ad.Random(0);
  const params = { W1: rng.randn([2, 16]), b1: rng.randn([16]), W2: rng.randn([16, 1]) };
  const net = (p, x) => ad.matmul(ad.tanh(ad.add(ad.matmul(ad.reshape(x, [1, 2]), p.W1), p.b1)), p.W2);
  const loss = (p, x, y) => ad.sum(ad.square(ad.sub(ad.reshape(net(p, x), [1]), y)));
  for (const B of [16, 256]) {
    const X = rng.randn([B, 2]);
    const Y = rng.randn([B, 1]);
    const batched = ad.compileTree((p, x, y) => ad.vmap(ad.grad(loss), { inAxes: [null, 0, 0] })(p, x, y), [params, X, Y]);
    const looped = ad.compileTree((p, x, y) => {
      const gs = Array.from({ length: B }, (_, i) => ad.grad(loss)(p, ad.reshape(ad.slice(x, [i], [i + 1]), [2]), ad.reshape(ad.slice(y, [i], [i + 1]), [1])));
      return { W1: ad.stack(gs.map((g) => g.W1)), b1: ad.stack(gs.map((g) => g.b1)), W2: ad.stack(gs.map((g) => g.W2)) };
    }, [params, X, Y]);
    const a = batched(params, X, Y);
    const b = looped(params, X, Y);
    let diff = 0;
    for (const k of ['W1', 'b1', 'W2']) a[k].data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[k].data[i]))));
    const nsV = nsPerCall(() => batched(params, X, Y), { minMs: 400 });
    const nsL = nsPerCall(() => looped(params, X, Y), { minMs: 400 });
    console.log(`${`vmap(grad), batch ${B}`.padEnd(44)} ${fmt(nsV / 1000).padStart(10)} us   (loop of ${B} grads in one plan: ${fmt(nsL / 1000)} us; ${fmt(nsL / nsV)}x; kernels ${batched.plan.stats.kernels} vs ${looped.plan.stats.kernels}; max |diff| ${diff})`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) benchVmap();
