// `pnpm bench:peers`: times one gradient-descent step of each peer problem written in the `.loss`
// language (bench/peers/*.loss), printing the same JSON lines as ../shared/peers (peer "descent";
// "descent-dbl" for P3 with the score taken by `grad` inside the loss; "descent-fixed" for P5 on
// one fixed batch drawn at start, whose numpy peer is bench/peers/p5_fixed_numpy.py). BENCH_CELL=problem/size
// runs one cell (run_all.sh runs one process per cell), BENCH_FILTER is a regex on
// problem/size/peer. Run `tsc -b` first.
//
// One step = Program.evaluate() (loss + gradients in one compiled plan) + the CLI's gd optimizer
// updating the parameters in place + the loss read back as a number. This is the inner loop of
// packages/cli/src/train.ts without its per-step bookkeeping (copies of the parameters for
// divergence recovery, finite scans, logging).
import { readFileSync } from 'node:fs';
import { allocationCount, kernelTimings, resetKernelTimings, setKernelTiming } from '../packages/autodiff/dist/index.js';
import { compileSource } from '../packages/dsl/dist/index.js';
import { createOptimizer } from '../packages/autodiff/dist/optim/index.js';
import { timeSteps } from './peers/harness.mjs';

const here = new URL('./peers/', import.meta.url);
const SPEC = JSON.parse(readFileSync(new URL('problems.json', here), 'utf8'));
const CELL = process.env.BENCH_CELL || null;
const FILTER = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER) : null;
// BENCH_PROFILE=1: per-kernel times of the timed steps on stderr (timing adds ~0.1 us per kernel)
const PROFILE = process.env.BENCH_PROFILE === '1';

const variants = {
  P1: [['descent', 'p1.loss']],
  P1c: [['descent', 'p1c.loss']],
  P2: [['descent', 'p2.loss']],
  P3: [['descent', 'p3.loss'], ['descent-dbl', 'p3-grad.loss']],
  P4: [['descent', 'p4.loss']],
  P5: [['descent', 'p5.loss'], ['descent-fixed', 'p5-fixed.loss']],
  P6: [['descent', 'p6.loss']],
};

const mb = (kb) => Math.round(kb / 1024 * 10) / 10;
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576 * 10) / 10;

function runCell(problem, size, dims, peer, file) {
  const source = readFileSync(new URL(file, here), 'utf8');
  const t0 = performance.now();
  const compiled = compileSource(source, { file: `bench/peers/${file}`, overrides: { ...dims, lr: SPEC.lr } });
  if (!compiled.ok) throw new Error(`${file}: ${compiled.diagnostics.map((d) => d.message).join('; ')}`);
  const program = compiled.program;
  const compileMs = performance.now() - t0;
  program.initialize();
  const descended = program.paramInfo.map((p, i) => (p.updated ? -1 : i)).filter((i) => i >= 0);
  const params = descended.map((i) => program.params[i]);
  const opt = createOptimizer({ kind: 'gd', lr: SPEC.lr }, params.map((p) => p.length));
  let evaluation;
  const gradFn = (_p, out) => { for (let k = 0; k < out.length; k++) out[k].set(evaluation.grads[k]); };
  const step = () => {
    if (program.freshSampling) program.resample();
    evaluation = program.evaluate();
    const loss = evaluation.objective;
    opt.step(params, gradFn);
    return loss;
  };
  let allocBefore = 0, rssAfterWarmup = 0;
  const r = timeSteps(step, {
    afterWarmup: () => {
      allocBefore = allocationCount().buffers;
      rssAfterWarmup = rssMb();
      if (PROFILE) {
        resetKernelTimings();
        setKernelTiming(true);
      }
    },
  });
  if (PROFILE) {
    setKernelTiming(false);
    const rows = kernelTimings();
    const total = rows.reduce((s, x) => s + x.ms, 0);
    process.stderr.write(`${problem}/${size}/${peer}: ${rows.length} kernels, ${(total / r.steps).toFixed(3)} ms/step in kernels\n`);
    for (const x of rows.slice(0, 25)) {
      process.stderr.write(`  ${(x.ms / x.calls).toFixed(4).padStart(9)} ms  ${(100 * x.ms / total).toFixed(1).padStart(5)}%  plan ${x.plan} #${x.kernel} ${x.label}\n`);
    }
  }
  const rec = {
    ...r, problem, size, dims, peer, dtype: 'float64', threads: '1',
    info: `node ${process.version}; descent .loss ${file}; Program.evaluate + gd`,
    compile_ms: Math.round(compileMs),
    peak_rss_mb: mb(process.resourceUsage().maxRSS),
    rss_after_warmup_mb: rssAfterWarmup,
    rss_end_mb: rssMb(),
    buffers_allocated_while_timed: allocationCount().buffers - allocBefore,
  };
  process.stdout.write(JSON.stringify(rec) + '\n');
}

for (const [problem, size, dims] of SPEC.sizes) {
  if (CELL && CELL !== `${problem}/${size}`) continue;
  for (const [peer, file] of variants[problem] ?? []) {
    if (FILTER && !FILTER.test(`${problem}/${size}/${peer}`)) continue;
    runCell(problem, size, dims, peer, file);
  }
}
