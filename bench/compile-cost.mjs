// Compile cost of hostile-sized files (issue 16): each case compiled cold in a fresh process, as
// `descent check FILE` would, and timed there (wall and CPU); `node bench/compile-cost.mjs`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt } from './timing.mjs';

const self = fileURLToPath(import.meta.url);
const REPEATS = 3;

/** f_k(x) = f_{k-1}(x) + f_{k-1}(x): 2^k copies of f_0 if calls were inlined without sharing. */
function chained(levels) {
  const lines = ['param w ~ normal(0, 1)', 'f0(x) = x * x'];
  for (let k = 1; k <= levels; k++) lines.push(`f${k}(x) = f${k - 1}(x) + f${k - 1}(x)`);
  lines.push(`loss = f${levels}(w) * 1e-18`);
  return lines.join('\n');
}

/** g_k(x) = grad(g_{k-1}(x), x), and the loss is g_levels(w) itself. */
function nestedGrad(levels, g0) {
  const lines = ['param w ~ normal(0, 1)', `g0(x) = ${g0}`];
  for (let k = 1; k <= levels; k++) lines.push(`g${k}(x) = grad(g${k - 1}(x), x)`);
  lines.push(`loss = g${levels}(w)`);
  return lines.join('\n');
}

const sum = (terms) => `param w ~ normal(0, 1)\nloss = ${new Array(terms).fill('w').join(' + ')}`;

const CASES = {
  'a 50,000-character sum (12,490 terms)': { source: sum(12_490), value: (w) => 12_490 * w },
  'a 4,000-term sum': { source: sum(4000), value: (w) => 4000 * w },
  'a 2,000-term sum': { source: sum(2000), value: (w) => 2000 * w },
  '60 chained functions': { source: chained(60), value: (w) => 2 ** 60 * w * w * 1e-18 },
  // d^n/dx^n e^x sin x = 2^(n/2) e^x sin(x + n pi/4)
  '30 nested grad of exp(x) * sin(x)': {
    source: nestedGrad(30, 'exp(x) * sin(x)'),
    value: (w) => 2 ** 15 * Math.exp(w) * Math.sin(w + (30 * Math.PI) / 4),
  },
  '30 nested grad of sin(x)': { source: nestedGrad(30, 'sin(x)'), value: (w) => Math.sin(w + (30 * Math.PI) / 2) },
};

/** In the child: one cold compile of one case; prints JSON. */
async function one(name) {
  const { compileSource } = await import('../packages/dsl/dist/index.js');
  const { scalar } = await import('../packages/autodiff/dist/index.js');
  const c = CASES[name];
  const first = scalar(0).id;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = compileSource(c.source, { file: 'bench.loss' });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const nodes = scalar(0).id - first;
  let error = null;
  if (r.ok) {
    r.program.params[0].fill(0.3);
    const got = r.program.evaluate().objective;
    const want = c.value(0.3);
    error = Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
  }
  console.log(JSON.stringify({ ok: r.ok, ms, cpuMs: (cpu.user + cpu.system) / 1000, nodes, chars: c.source.length, error }));
}

export function benchCompileCost() {
  console.log('\n## compile cost of hostile sizes (cold: a fresh process per compile, best and median of 3)');
  for (const name of Object.keys(CASES)) {
    const runs = [];
    for (let k = 0; k < REPEATS; k++) {
      runs.push(JSON.parse(execFileSync(process.execPath, [self, '--one', name], { encoding: 'utf8' }).trim().split('\n').pop()));
    }
    const walls = runs.map((r) => r.ms).sort((a, b) => a - b);
    const cpus = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
    const r = runs[0];
    const check = r.ok ? `value off by ${r.error.toExponential(1)} relative` : 'did not compile';
    console.log(
      `${name.padEnd(38)} ${fmt(walls[0]).padStart(6)} / ${fmt(walls[1]).padStart(6)} ms wall, ` +
        `${fmt(cpus[0]).padStart(6)} / ${fmt(cpus[1]).padStart(6)} ms CPU; ${r.nodes} nodes, ${r.chars} chars; ${check}`,
    );
  }
}

if (process.argv[2] === '--one') await one(process.argv[3]);
else if (process.argv[1] === self) benchCompileCost();
