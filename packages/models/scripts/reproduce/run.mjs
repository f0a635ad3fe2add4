// Runs every experiment of the plan through the CLI into runs/reproduce/, and the extra runs the report needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { check, childCpuSeconds, descent, pool } from './cli.mjs';
import { mean } from './format.mjs';
import { loadSweep, mfOutcome } from './runs.mjs';
import { BUDGET_SECONDS, JOBS, MF_LONG_STEPS, MFT_LONG_STEPS, OUT, PLAN, repo, SAMPLED_STOPS, t0 } from './settings.mjs';

/** Seconds since the script started, for the progress lines. */
const since = () => ((performance.now() - t0) / 1000).toFixed(0);

/**
 * Runs every sweep of PLAN, then the extra runs the report reads, into runs/reproduce/ (emptied
 * first), and records the time they took in timing.json. With `only` (keys of PLAN), runs just
 * those sweeps, each into its folder, and nothing else: to try a part of the plan.
 * @param {readonly string[]} [only]
 * @returns {Promise<import('./report.mjs').Timing>}
 */
export async function runAll(only) {
  const unknown = (only ?? []).filter((k) => !PLAN.some((p) => p.key === k));
  if (unknown.length > 0) throw new Error(`--only: no sweep ${unknown.join(', ')} in the plan; its keys are ${PLAN.map((p) => p.key).join(', ')}`);
  const plan = only === undefined ? PLAN : PLAN.filter((p) => only.includes(p.key));
  if (only === undefined) fs.rmSync(OUT, { recursive: true, force: true });
  else for (const p of plan) fs.rmSync(path.join(OUT, p.key), { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  /** @type {import('./report.mjs').Timing} */
  const timing = { sweeps: {}, extra: {} };
  // the machine is shared: sample its 1-minute load average while the runs go
  const loads = [os.loadavg()[0]];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]), 30_000);
  const plannedCpu = plan.reduce((s, p) => s + p.cpu, 0);
  console.log(`reproduce: ${plan.length} sweeps, ~${plannedCpu} CPU s planned (~${Math.round(plannedCpu / JOBS / 60)} min on ${JOBS} cores; budget ${BUDGET_SECONDS / 60} min) → ${path.relative(repo, OUT)}`);
  for (const p of plan) {
    console.log(`\n[${since()} s] ${p.what}: descent sweep ${p.model} --seeds ${p.seeds}${p.args ? ` ${p.args.join(' ')}` : ''}`);
    const r = check(await descent(['sweep', p.model, ...(p.args ?? []), '--seeds', p.seeds, '--jobs', String(JOBS), '--out', path.join(OUT, p.key), '--quiet']), `descent sweep ${p.model}`);
    timing.sweeps[p.key] = r.seconds;
    console.log(`  done in ${r.seconds.toFixed(1)} s`);
  }
  if (only !== undefined) {
    clearInterval(sampler);
    return timing;
  }
  // the sampled gradient-EM trajectory, stopped early and evaluated by quadrature (same seed, same
  // sample stream: the run stopped at step k is the full run's step k)
  console.log(`\n[${since()} s] gradient-em-sampled stopped at ${SAMPLED_STOPS.join(', ')} steps, each evaluated exactly by gradient-em (quadrature)`);
  let s0 = performance.now();
  await pool(
    SAMPLED_STOPS.map((k) => async () => check(await descent(['run', 'gradient-em-sampled', '--seed', '0', '--steps', String(k), '--out', path.join(OUT, 'gem-sampled-stops', `steps=${k}`), '--quiet']), 'gradient-em-sampled')),
    JOBS,
  );
  timing.extra['gem-sampled-stops'] = (performance.now() - s0) / 1000;
  // real-init seeds that stall with det W(0) > 0: run them on
  s0 = performance.now();
  const mf = loadSweep('mf-real').map(mfOutcome).filter((o) => o.outcome === 'stalled' && o.det0 > 0);
  if (mf.length > 0) console.log(`\n[${since()} s] matrix-factorization: seeds ${mf.map((o) => o.seed).join(', ')} (stalled with det W(0) > 0) run on to ${MF_LONG_STEPS} steps`);
  await pool(
    mf.map((o) => async () => check(await descent(['run', 'matrix-factorization', '--seed', String(o.seed), '--steps', String(MF_LONG_STEPS), '--out', path.join(OUT, 'mf-long', `seed=${o.seed}`), '--quiet']), 'matrix-factorization')),
    JOBS,
  );
  timing.extra['mf-long'] = (performance.now() - s0) / 1000;
  s0 = performance.now();
  const mft = loadSweep('mf-theorem').map(mfOutcome).filter((o) => o.outcome !== 'converged' && o.det0 > 0);
  if (mft.length > 0) console.log(`\n[${since()} s] matrix-factorization-theorem: seeds ${mft.map((o) => o.seed).join(', ')} (not converged with det W(0) > 0) run on to ${MFT_LONG_STEPS} steps`);
  await pool(
    mft.map((o) => async () => check(await descent(['run', 'matrix-factorization-theorem', '--seed', String(o.seed), '--steps', String(MFT_LONG_STEPS), '--out', path.join(OUT, 'mft-long', `seed=${o.seed}`), '--quiet']), 'matrix-factorization-theorem')),
    JOBS,
  );
  timing.extra['mft-long'] = (performance.now() - s0) / 1000;
  timing.runSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  loads.push(os.loadavg()[0]);
  timing.loadAverage = mean(loads);
  timing.cpuSeconds = childCpuSeconds();
  fs.writeFileSync(path.join(OUT, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
  return timing;
}
