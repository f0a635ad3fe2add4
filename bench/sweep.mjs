// Seed sweeps batched against one program per entry: wall time of `descent sweep MODEL --seeds 1-S --jobs J`, both ways, alternated.
// Run alone: node bench/sweep.mjs (BENCH_SWEEP_SEEDS=64, BENCH_SWEEP_JOBS=2, BENCH_SWEEP_MODELS=relu-neuron,gradient-em,matrix-factorization,
// BENCH_SWEEP_STEPS unset: the models' own steps; BENCH_SWEEP_REPEATS=1). `pnpm bench` runs it with 8 seeds and 2000 steps.
// BENCH_SWEEP_BEFORE=<a built checkout of an older descent> also times that build's plain sweep (no flag: builds before
// batching ran one program per entry), alternated with the two above, for the issue's "today's sweep" comparison.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const cliOf = (checkout) => path.join(checkout, 'packages/cli/dist/main.js');

/** Wall seconds of one sweep into a fresh folder; batch null: no batching flag (an older build's plain sweep). */
function sweepSeconds(model, seeds, jobs, steps, batch, checkout = repo) {
  const cli = cliOf(checkout);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-bench-sweep-'));
  const args = [cli, 'sweep', path.join(checkout, 'packages/models', `${model}.loss`), '--seeds', `1-${seeds}`, '--jobs', String(jobs), '--out', path.join(out, 'sw'), '--quiet',
    ...(steps ? ['--steps', String(steps)] : []), ...(batch === false ? ['--no-batch'] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`descent sweep ${model} failed (${r.status}): ${r.stderr}`);
  return seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchSweep(options = {}) {
  const seeds = options.seeds ?? Number(process.env.BENCH_SWEEP_SEEDS ?? 64);
  const jobs = options.jobs ?? Number(process.env.BENCH_SWEEP_JOBS ?? 2);
  const steps = options.steps ?? (process.env.BENCH_SWEEP_STEPS ? Number(process.env.BENCH_SWEEP_STEPS) : undefined);
  const repeats = options.repeats ?? Number(process.env.BENCH_SWEEP_REPEATS ?? 1);
  const before = options.before ?? process.env.BENCH_SWEEP_BEFORE;
  if (before && !fs.existsSync(cliOf(before))) throw new Error(`BENCH_SWEEP_BEFORE=${before}: no built ${cliOf(before)}`);
  const models = options.models ?? (process.env.BENCH_SWEEP_MODELS ?? 'relu-neuron,gradient-em,matrix-factorization').split(',');
  console.log(`\n## seed sweeps: ${seeds} seeds, --jobs ${jobs}, ${steps ? `${steps} steps` : "the models' own steps"}; batched vs --no-batch, alternated (load ${os.loadavg()[0].toFixed(1)})`);
  for (const model of models) {
    const alone = [];
    const batched = [];
    const old = [];
    for (let k = 0; k < repeats; k++) {
      if (before) old.push(sweepSeconds(model, seeds, jobs, steps, null, before));
      alone.push(sweepSeconds(model, seeds, jobs, steps, false));
      batched.push(sweepSeconds(model, seeds, jobs, steps, true));
    }
    const a = median(alone);
    const b = median(batched);
    const o = before ? `   before-build ${median(old).toFixed(2).padStart(8)} s   ${(median(old) / b).toFixed(1).padStart(5)}x` : '';
    console.log(`${model.padEnd(22)} --no-batch ${a.toFixed(2).padStart(8)} s   batched ${b.toFixed(2).padStart(8)} s   ${(a / b).toFixed(1).padStart(5)}x${o}   (load ${os.loadavg()[0].toFixed(1)})`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchSweep();
