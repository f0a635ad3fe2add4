// Bulk random numbers: ns per standard normal and per uniform from the bulk stream (BulkRandom) on
// each backend, beside numpy's default_rng().standard_normal / .random measured in the same run
// (when python3 has numpy), and one fresh-sampling step of P5 (d = 100, N = 10000) beside numpy's
// hand-written step (problems.py p5_loss_grad: a new standard_normal batch every step).
import { execFileSync } from 'node:child_process';
import * as ad from '../packages/autodiff/dist/index.js';
import { compileSource } from '../packages/dsl/dist/index.js';
import { fmt, nsPerCall } from './timing.mjs';

const COUNT = 1_000_000;

const NUMPY_SCRIPT = `
import sys, time
import numpy as np
count, d, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
out = np.empty(count)
def median_ns(f, per):
    for _ in range(3): f()
    ts = []
    end = time.perf_counter() + 0.4
    while time.perf_counter() < end or len(ts) < 5:
        t = time.perf_counter_ns(); f(); ts.append((time.perf_counter_ns() - t) / per)
    ts.sort()
    return ts[len(ts) // 2]
m = rng.standard_normal(d)
def p5_step():
    global m
    X = rng.standard_normal((n, d))
    xbar = X.mean(0)
    xf = X.reshape(-1)
    L = 0.5 * (float(m @ m) - 2.0 * float(m @ xbar) + float(xf @ xf) / n)
    m -= 0.1 * (m - xbar)
print(median_ns(lambda: rng.standard_normal(out=out), count), median_ns(lambda: rng.random(out=out), count), median_ns(p5_step, 1), np.__version__)
`;

/** numpy's ns per normal, per uniform and per P5 step, or why there are none. */
function numpyTimes(d, n) {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  } catch {
    return { absent: 'numpy is absent (python3 -c "import numpy" failed): no numpy numbers' };
  }
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const [normal, uniform, step, version] = execFileSync('python3', ['-c', NUMPY_SCRIPT, String(COUNT), String(d), String(n)], { env, encoding: 'utf8' }).trim().split(/\s+/);
  return { normal: Number(normal), uniform: Number(uniform), step: Number(step), version };
}

const P5 = `dim d = 100
dim N = 10000
param m[d] ~ normal(0, 1)
sample x[d] ~ normal(0, 1)
expect samples(N, fresh)
loss = 0.5 * E[|m - x|^2]
optimizer gd(lr = 0.1)`;

export function benchRandom() {
  console.log(`\n## bulk random numbers (ns per draw, ${COUNT} per fill; load ${(process.platform === 'linux' ? readLoad() : 'n/a')})`);
  const numpy = numpyTimes(100, 10000);
  const out = new Float64Array(COUNT);
  const initial = { normal: ad.kernelBackend('randomNormal'), uniform: ad.kernelBackend('randomUniform') };
  for (const backend of ad.kernelBackends('randomNormal')) {
    ad.setKernelBackend('randomNormal', backend);
    ad.setKernelBackend('randomUniform', backend);
    const rng = new ad.BulkRandom(0);
    const normal = nsPerCall(() => rng.fillNormal(out), { minMs: 400 }) / COUNT;
    const uniform = nsPerCall(() => rng.fillUniform(out), { minMs: 300 }) / COUNT;
    console.log(`${`BulkRandom ${backend}`.padEnd(44)} ${fmt(normal).padStart(10)} ns/normal ${fmt(uniform).padStart(8)} ns/uniform`);
  }
  ad.setKernelBackend('randomNormal', initial.normal);
  ad.setKernelBackend('randomUniform', initial.uniform);
  if (numpy.absent) console.log(numpy.absent);
  else console.log(`${`numpy ${numpy.version} default_rng()`.padEnd(44)} ${fmt(numpy.normal).padStart(10)} ns/normal ${fmt(numpy.uniform).padStart(8)} ns/uniform   (standard_normal / random, out=)`);

  const compiled = compileSource(P5, { file: 'bench/random.mjs (P5)' });
  if (!compiled.ok) throw new Error(`P5: ${compiled.diagnostics.map((x) => x.message).join('; ')}`);
  const program = compiled.program;
  program.initialize();
  const m = program.params[0];
  const step = () => {
    program.resample();
    const g = program.evaluate().grads[0];
    for (let i = 0; i < m.length; i++) m[i] -= 0.1 * g[i];
  };
  const stepNs = nsPerCall(step, { minMs: 600 });
  const drawNs = nsPerCall(() => program.resample(), { minMs: 300 });
  const ref = numpy.absent ? '' : `   (numpy hand-written step: ${fmt(numpy.step / 1000)} us, ${fmt(numpy.step / stepNs)}x)`;
  console.log(`${'P5 large fresh step (d 100, N 10000)'.padEnd(44)} ${fmt(stepNs / 1000).padStart(10)} us${ref}`);
  console.log(`${'  of which drawing the batch (1e6 normals)'.padEnd(44)} ${fmt(drawNs / 1000).padStart(10)} us   (${ad.kernelBackend('randomNormal')})`);
}

function readLoad() {
  try {
    return execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) benchRandom();
