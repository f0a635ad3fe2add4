// descent run's own cost: time outside the compiled steps, and the slowdown of the steps from logging.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { executeRun } from '../packages/cli/dist/execute.js';
import { Progress } from '../packages/cli/dist/progress.js';
import { setup } from '../packages/cli/dist/setup.js';
import { row } from './timing.mjs';

const cli = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const prebuilt = fileURLToPath(new URL('../packages/models/relu-neuron.loss', import.meta.url));
const model = fs.existsSync(prebuilt) ? prebuilt : fileURLToPath(new URL('../test/cli/fixtures/quartic.loss', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One `descent run` of `steps` steps in a child process: wall time, and the seconds inside the steps. */
function spawnRun(dir, steps) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', model, '--steps', String(steps), '--quiet', '--force', '--out', dir], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`descent run failed: ${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).summary;
  return { wall, compute: summary.computeSeconds, loop: summary.wallSeconds };
}

/** Steps per second of the training loop (logging included) for a run logging `log` records. */
async function loopRate(dir, steps, log) {
  const s = setup({ model, name: path.basename(model, '.loss'), file: model, overrides: {}, expect: {}, steps, log }, 'bench');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const o = await executeRun({ setup: s, outDir: dir, progress: new Progress({ total: steps, quiet: true }) });
  return steps / o.summary.wallSeconds;
}

export async function benchCli() {
  console.log(`\n## descent run: overhead (a 1000-step run of ${path.basename(model)})`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-bench-'));
  const dir = path.join(tmp, 'run');
  spawnRun(dir, 1000); // warm the file cache
  const runs = Array.from({ length: 7 }, () => spawnRun(dir, 1000));
  const outside = median(runs.map((r) => r.wall - r.compute));
  row('process wall time, whole run', median(runs.map((r) => r.wall)) * 1000, 'ms');
  row('time outside the compiled steps (target < 500)', outside * 1000, 'ms');
  row('  of which the training loop bookkeeping', median(runs.map((r) => r.loop - r.compute)) * 1000, 'ms');
  const spawnOnly = median(Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    spawnSync(process.execPath, [cli, '--version']);
    return performance.now() - t0;
  }));
  row('  of which node start-up (descent --version)', spawnOnly, 'ms');

  // alternate the two settings so drift (thermal, other load) hits both alike
  const steps = 1000;
  await loopRate(dir, steps, 2);
  const few = [];
  const every = [];
  for (let k = 0; k < 15; k++) {
    few.push(await loopRate(dir, steps, 2));
    every.push(await loopRate(dir, steps, 1000));
  }
  const a = median(few);
  const b = median(every);
  row('steps/s with --log 2', a, 'steps/s');
  row('steps/s with --log 1000 (every step logged)', b, 'steps/s');
  row('slowdown from logging every step', (100 * (a - b)) / a, '%');
  // the default: 200 log-spaced records (dense early, sparse late) over the same 1000 steps
  const fewAgain = [];
  const defaults = [];
  for (let k = 0; k < 15; k++) {
    fewAgain.push(await loopRate(dir, steps, 2));
    defaults.push(await loopRate(dir, steps, 200));
  }
  const c = median(fewAgain);
  row('slowdown from the default --log 200 (target < 5%)', (100 * (c - median(defaults))) / c, '%');
  // the usual case: the default 200 log-spaced records over a long run
  const long = 100_000;
  const sparse = [];
  const usual = [];
  for (let k = 0; k < 3; k++) {
    sparse.push(await loopRate(dir, long, 2));
    usual.push(await loopRate(dir, long, 200));
  }
  row(`slowdown, ${long} steps with --log 200 vs --log 2`, (100 * (median(sparse) - median(usual))) / median(sparse), '%');
  fs.rmSync(tmp, { recursive: true, force: true });
}
