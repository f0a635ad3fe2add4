// `descent sweep` and `descent collect`: worker threads and --index runs give byte-identical results.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, descent, fixture, readLog, readRunJson, scratch } from './helpers.js';

const SWEEP = ['sweep', 'quartic', '--set', 'n=1,2', '--set', 'lr=0.05,0.02', '--seeds', '1-2', '--steps', '200', '--log', '20'];

describe('descent sweep', () => {
  const cwd = scratch();
  const threads = path.join(cwd, 'threads');
  const r = descent([...SWEEP, '--jobs', '2', '--out', threads], { cwd });

  it('runs the product of the settings and seeds on worker threads', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^quartic: 8 runs on 2 threads → /);
    expect(r.stderr.match(/^\[\d\/8\] /gm)).toHaveLength(8);
    expect(r.stdout).toMatch(/^# +run +status +final loss +slope +claims\n0 +n=1 lr=0\.05 seed=1 +completed/);
    const dirs = fs.readdirSync(threads).filter((d) => /^\d_/.test(d)).sort();
    expect(dirs).toEqual(['0_n=1_lr=0.05_seed=1', '1_n=1_lr=0.05_seed=2', '2_n=1_lr=0.02_seed=1', '3_n=1_lr=0.02_seed=2', '4_n=2_lr=0.05_seed=1', '5_n=2_lr=0.05_seed=2', '6_n=2_lr=0.02_seed=1', '7_n=2_lr=0.02_seed=2']);
    const run5 = readRunJson(path.join(threads, dirs[5]!));
    expect(run5['settings']).toMatchObject({ seed: 2, optimizer: { name: 'gd', args: { lr: 0.05 } }, constants: { n: 2 } });
    expect(run5['params']['w']).toHaveLength(2);
  });

  it('writes summary.csv (by run index, no timings) and sweep.svg (a legend entry per setting)', () => {
    const csv = fs.readFileSync(path.join(threads, 'summary.csv'), 'utf8').trimEnd().split('\n');
    // each run's final metric values are columns final_NAME
    expect(csv[0]).toBe('index,run,n,lr,seed,status,steps,final_loss,final_size,final_coord[0],final_coord[1],slope,claims_passed,claims_total,slope(loss) = -2 +- 0.1,final(size) < 0.1');
    expect(csv).toHaveLength(9);
    expect(csv[1]).toMatch(/^0,0_n=1_lr=0\.05_seed=1,1,0\.05,1,completed,200,[-0-9.e]+,[-0-9.e]+,[-0-9.e]+,,-1\.\d+,\d,2,(PASS|FAIL),(PASS|FAIL)$/);
    const svg = fs.readFileSync(path.join(threads, 'sweep.svg'), 'utf8');
    for (const g of ['n=1 lr=0.05', 'n=1 lr=0.02', 'n=2 lr=0.05', 'n=2 lr=0.02']) expect(svg).toContain(`>${g}<`);
  });

  it('gives the same runs one by one with --index, and collect builds byte-identical summary.csv and sweep.svg', () => {
    const cluster = path.join(cwd, 'cluster');
    const plan = descent([...SWEEP, '--out', cluster, '--plan'], { cwd });
    expect(plan.code).toBe(0);
    expect(plan.stdout.split('\n')[0]).toBe('8 runs: n ∈ {1, 2} × lr ∈ {0.05, 0.02} × 2 seeds');
    for (let i = 0; i < 8; i++) expect(descent([...SWEEP, '--out', cluster, '--index', String(i), '--quiet'], { cwd }).code).toBe(0);
    const c = descent(['collect', cluster], { cwd });
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/8\/8 runs present/);
    expect(fs.readFileSync(path.join(cluster, 'summary.csv'), 'utf8')).toBe(fs.readFileSync(path.join(threads, 'summary.csv'), 'utf8'));
    expect(fs.readFileSync(path.join(cluster, 'sweep.svg'), 'utf8')).toBe(fs.readFileSync(path.join(threads, 'sweep.svg'), 'utf8'));
    const strip = (d: string): string => readLog(d).map(({ elapsed: _, ...rest }) => JSON.stringify(rest)).join('\n');
    expect(strip(path.join(cluster, '6_n=2_lr=0.02_seed=1'))).toBe(strip(path.join(threads, '6_n=2_lr=0.02_seed=1')));
  });

  it('collect reports runs not done yet', () => {
    const part = path.join(cwd, 'part');
    expect(descent([...SWEEP, '--out', part, '--index', '3', '--quiet'], { cwd }).code).toBe(0);
    const c = descent(['collect', part], { cwd });
    // runs not finished (here: not run yet) make collect exit 1
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/1\/8 runs present \(7 missing\)/);
    expect(fs.readFileSync(path.join(part, 'summary.csv'), 'utf8')).toMatch(/\n0,0_n=1_lr=0\.05_seed=1,1,0\.05,1,missing,,/);
  });

  it('--emit slurm prints an sbatch array script re-running the sweep by index, by absolute paths', () => {
    const s = descent([...SWEEP, '--out', 'runs/sw', '--emit', 'slurm', '--jobs', '4'], { cwd });
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^#!\/bin\/bash\n/);
    expect(s.stdout).toContain('#SBATCH --array=0-7%4');
    expect(s.stdout).toContain(`exec ${process.execPath} ${cli} sweep ${fixture('quartic')} --set n=1,2 --set lr=0.05,0.02 --seeds 1-2 --steps 200 --log 20 --out ${cwd}/runs/sw --index "$SLURM_ARRAY_TASK_ID"\n`);
  });

  it('refuses a bad setting before running anything, and an --index out of range', () => {
    const bad = descent(['sweep', 'quartic', '--set', 'n=1,0', '--out', path.join(cwd, 'bad')], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--set n=0: a dim must be a positive integer/);
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
    const idx = descent([...SWEEP, '--out', path.join(cwd, 'idx'), '--index', '8'], { cwd });
    expect(idx.code).toBe(2);
    expect(idx.stderr).toBe('descent sweep: --index 8 is out of range: this sweep has 8 runs (0-7).\n');
  });
});
