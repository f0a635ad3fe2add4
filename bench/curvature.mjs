// Curvature metrics: the cost of sharpness / hessian_eigs / hessian_trace per logged step, in
// Hessian-vector products and milliseconds, dense and iterative; with BENCH_CURVATURE_FULL=1 also
// Lanczos against the dense path on a ~5,000-parameter model (about two minutes).
import { compileSource } from '../packages/dsl/dist/index.js';
import { row } from './timing.mjs';

/** A tanh network fit to sin(x_1): h·(d + 1) parameters. */
function network(n, d, h, metrics) {
  return `dim n = ${n}\ndim d = ${d}\ndim h = ${h}
let X[n, d] = randn(n, d)
let y[n] = sin(X @ onehot(d, 0))
param W[h, d] ~ normal(0, 0.5)
param a[h] ~ normal(0, 0.3)
loss = 0.5 * mean_k (dot(a, tanh(W @ X[k])) - y[k])^2
${metrics}
`;
}

function program(source, curvatureMethod = 'auto') {
  const r = compileSource(source, { file: 'bench.loss', curvatureMethod });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  r.program.initialize();
  return r.program;
}

/** Median milliseconds of `fn` over `reps` calls (after one warm-up). */
function ms(fn, reps) {
  fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

export function benchCurvature() {
  console.log('\n## curvature metrics: cost per logged step (metrics() with the metric, minus without)');
  const cases = [
    { label: 'edge-of-stability (96 parameters)', n: 64, d: 5, h: 16, reps: 9 },
    { label: 'tanh net, 1,845 parameters (dense)', n: 200, d: 40, h: 45, reps: 3 },
    { label: 'tanh net, 5,040 parameters (Lanczos)', n: 200, d: 104, h: 48, reps: 3 },
  ];
  for (const c of cases) {
    const base = program(network(c.n, c.d, c.h, 'metric l = loss'));
    const withSharp = program(network(c.n, c.d, c.h, 'metric sharp = sharpness(loss)'));
    const plain = ms(() => base.metrics(), c.reps);
    const sharp = ms(() => withSharp.metrics(), c.reps);
    const step = ms(() => withSharp.evaluate(), c.reps);
    const [report] = withSharp.curvatureReport();
    row(`sharpness, ${c.label}`, sharp - plain, 'ms', undefined);
    console.log(`${''.padEnd(44)} ${report.method}, ${report.products} Hessian-vector products (${((sharp - plain) / report.products).toFixed(3)} ms each; one gradient step ${step.toFixed(3)} ms)`);
  }
  if (process.env.BENCH_CURVATURE_FULL !== '1') {
    console.log('(BENCH_CURVATURE_FULL=1 adds Lanczos against the dense path at 5,040 parameters)');
    return;
  }
  const source = network(200, 104, 48, 'metric top[i] = hessian_eigs(loss, 3)[i]\nmetric tr = hessian_trace(loss)');
  const dense = program(source, 'dense');
  const iterative = program(source, 'iterative');
  let t = performance.now();
  const exact = dense.metrics();
  const denseMs = performance.now() - t;
  t = performance.now();
  const approx = iterative.metrics();
  const iterMs = performance.now() - t;
  const rel = approx.top.map((v, i) => Math.abs(v - exact.top[i]) / Math.abs(exact.top[i]));
  const [eigs, trace] = iterative.curvatureReport();
  console.log(`5,040 parameters: dense top 3 ${exact.top.map((v) => v.toPrecision(12)).join(', ')}, trace ${exact.tr.toPrecision(8)} (${(denseMs / 1000).toFixed(1)} s)`);
  console.log(`  Lanczos top 3 ${approx.top.map((v) => v.toPrecision(12)).join(', ')} after ${eigs.products} products; relative differences ${rel.map((x) => x.toExponential(1)).join(', ')}`);
  console.log(`  Hutchinson trace ${approx.tr.toPrecision(8)} ± ${trace.error.toPrecision(2)} (${trace.products} probes); |difference| = ${Math.abs(approx.tr - exact.tr).toPrecision(2)}; both iterative: ${(iterMs / 1000).toFixed(2)} s`);
}
