// A real one-node Slurm: a 16-entry sweep submitted with --submit slurm, then the same sweep requeued and preempted mid-run.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, fixture, readLog, readRunJson, scratch } from '../cli/e2e/helpers.js';
import { queued, slurm, startCluster, stopCluster, until, type Cluster } from './cluster.js';

// 16 entries; enough steps per entry (a few seconds) that a task can be interrupted mid-run
const SWEEP = ['sweep', fixture('quartic'), '--set', 'n=1,2', '--seeds', '1-8', '--steps', '1000000', '--log', '40', '--checkpoint-every', '100000'];
const ENTRIES = 16;

/** What the test saw, for docs/cluster.md: written to $DESCENT_SLURM_TRANSCRIPT or a temp file. */
const transcript: string[] = [];
const note = (title: string, text: string): void => {
  transcript.push(`## ${title}\n\n${text.trimEnd()}\n`);
};

function descent(c: Cluster, args: readonly string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: c.env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs = (sweep: string): string[] => fs.readdirSync(sweep).filter((d) => /^\d\d_/.test(d)).sort();
const statusOf = (runDir: string): string | undefined => {
  try {
    return readRunJson(runDir)['status'] as string;
  } catch {
    return undefined;
  }
};
const allCompleted = (sweep: string): boolean => dirs(sweep).length === ENTRIES && dirs(sweep).every((d) => statusOf(path.join(sweep, d)) === 'completed');
const lastStep = (runDir: string): number => {
  try {
    return readLog(runDir).at(-1)?.step ?? 0;
  } catch {
    return 0;
  }
};
/** log.jsonl without the timings: what must be the same however the run was interrupted. */
const logWithoutTimes = (runDir: string): string => readLog(runDir).map(({ elapsed: _, ...rest }) => JSON.stringify(rest)).join('\n');
const jobOf = (sweep: string): string => (JSON.parse(fs.readFileSync(path.join(sweep, 'slurm.json'), 'utf8')) as { jobs: { id: string }[] }).jobs.at(-1)!.id;

describe('a sweep on a real one-node Slurm', () => {
  let c: Cluster;
  // where the cluster cannot start, every test fails with the one-line reason (none is skipped)
  let notStarted: Error | null = null;
  const cwd = scratch('descent-slurm-test-');
  const local = path.join(cwd, 'local');

  beforeAll(() => {
    try {
      c = startCluster();
    } catch (e) {
      notStarted = e as Error;
    }
  });
  beforeEach(() => {
    if (notStarted) throw notStarted;
  });
  afterAll(() => {
    if (c) stopCluster(c);
    const file = process.env['DESCENT_SLURM_TRANSCRIPT'] ?? path.join(os.tmpdir(), 'descent-slurm-transcript.md');
    fs.writeFileSync(file, transcript.join('\n'));
    console.log(`descent-slurm: transcript of this run in ${file}`);
  });

  it('runs the sweep locally with --jobs 2 (the reference)', () => {
    const r = descent(c, [...SWEEP, '--jobs', '2', '--out', local, '--quiet'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(allCompleted(local)).toBe(true);
  });

  it('completes all 16 tasks submitted with --submit slurm and --export=NONE from a folder where descent is not on the PATH, and summary.csv equals the local one', async () => {
    expect(spawnSync('bash', ['-c', 'command -v descent'], { env: c.env }).status).not.toBe(0);
    const sweep = path.join(cwd, 'slurm');
    const sub = descent(c, [...SWEEP, '--out', 'slurm', '--submit', 'slurm', '--sbatch-args', '--export=NONE'], cwd);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toMatch(/^submitted Slurm job \d+: 16 tasks \(array 0-15\) → slurm\n/);
    note('descent sweep … --submit slurm --sbatch-args "--export=NONE"', sub.stdout);
    const script = fs.readFileSync(path.join(sweep, 'sweep.sbatch'), 'utf8');
    expect(script).toContain(`exec ${process.execPath} ${cli} sweep ${fixture('quartic')} `);
    note('slurm/sweep.sbatch', script);
    const job = jobOf(sweep);
    const early = descent(c, ['status', 'slurm'], cwd);
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(new RegExp(`^slurm: quartic, 16 runs: .*\\(Slurm job ${job}\\)\\n`));
    note('descent status slurm (soon after submitting)', early.stdout);

    await until('the 16 tasks to complete', () => allCompleted(sweep), 300_000, 500);
    await until('the job to leave the queue', () => queued(c, job).size === 0, 60_000, 500);
    const st = descent(c, ['status', 'slurm'], cwd);
    expect(st.stdout).toMatch(new RegExp(`^slurm: quartic, 16 runs: 16 done \\(Slurm job ${job}\\)\\n`));
    expect(st.stdout.split('\n').filter((l) => /^\d+ .* done +1000000\/1000000 +COMPLETED /.test(l))).toHaveLength(16);
    note('descent status slurm (all done)', st.stdout);
    const col = descent(c, ['collect', 'slurm'], cwd);
    expect(col.code).toBe(0);
    expect(col.stdout).toContain('16/16 runs present');
    note('descent collect slurm', col.stdout);
    // summary.csv has no timing column: the files are equal as they are
    expect(fs.readFileSync(path.join(sweep, 'summary.csv'), 'utf8')).toBe(fs.readFileSync(path.join(local, 'summary.csv'), 'utf8'));
    for (const d of dirs(sweep)) expect(readRunJson(path.join(sweep, d))['paramsF64']).toEqual(readRunJson(path.join(local, d))['paramsF64']);

    // per-task overhead: submission to first step (run.json's start), and Node's start-up to the first step
    const submitted = Date.parse((JSON.parse(fs.readFileSync(path.join(sweep, 'slurm.json'), 'utf8')) as { jobs: { submitted: string }[] }).jobs[0]!.submitted);
    const toFirstStep = dirs(sweep).map((d) => (Date.parse(readRunJson(path.join(sweep, d))['started'] as string) - submitted) / 1000).sort((a, b) => a - b);
    const ready = dirs(sweep).map((d, i) => {
      const out = fs.readFileSync(path.join(sweep, `slurm-${job}_${i}.out`), 'utf8');
      expect(out, d).toMatch(/: starting at step 0 of 1000000 \(Slurm job \d+_\d+ on [^)]+\); ready [\d.]+ s after Node started\n/);
      return Number(/ready ([\d.]+) s after Node started/.exec(out)![1]);
    }).sort((a, b) => a - b);
    const med = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
    note('per-task overhead', [
      `submission → first step of the first task: ${toFirstStep[0]!.toFixed(2)} s (the 16 tasks: ${toFirstStep.map((x) => x.toFixed(1)).join(' ')} s; 4 task slots on this ${os.cpus().length}-CPU machine)`,
      `Node start-up + compile → ready for the first step, per task: median ${med(ready).toFixed(2)} s, min ${ready[0]!.toFixed(2)} s, max ${ready.at(-1)!.toFixed(2)} s`,
      `load average while measuring: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    ].join('\n'));
  }, 420_000);

  it('requeued (scontrol requeue) and preempted (SIGUSR1) tasks resume from their checkpoints, and every result is bit-identical', async () => {
    const sweep = path.join(cwd, 'preempted');
    const sub = descent(c, [...SWEEP, '--out', 'preempted', '--submit', 'slurm', '--sbatch-args', '--export=NONE'], cwd);
    expect(sub.code, sub.stderr).toBe(0);
    const job = jobOf(sweep);
    // four requeues and two preemption signals, each on a task caught mid-run
    const plan: ('requeue' | 'signal')[] = ['requeue', 'signal', 'requeue', 'requeue', 'signal', 'requeue'];
    const interrupted = new Map<number, { how: 'requeue' | 'signal'; step: number }>();
    const tried = new Set<number>();
    const deadline = Date.now() + 300_000;
    while (plan.length > 0 && Date.now() < deadline && !allCompleted(sweep)) {
      const q = queued(c, job);
      const target = [...q].find(([i, s]) => {
        if (s.state !== 'RUNNING' || tried.has(i)) return false;
        const d = path.join(sweep, dirs(sweep).find((x) => x.startsWith(`${String(i).padStart(2, '0')}_`)) ?? 'none');
        return statusOf(d) === 'running' && lastStep(d) > 0 && lastStep(d) < 500_000;
      });
      if (!target) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const i = target[0];
      tried.add(i);
      const how = plan[0]!;
      const runDir = path.join(sweep, dirs(sweep).find((x) => x.startsWith(`${String(i).padStart(2, '0')}_`))!);
      // scancel delivers the signal, then retries for as long as the task (requeueing itself) is in
      // transition; it is stopped once the signal has done its work, so that no retry reaches the resumed task
      const scancel = how === 'signal' ? spawn('scancel', ['--signal=USR1', '--batch', `${job}_${i}`], { env: c.env, stdio: 'ignore' }) : null;
      if (how === 'requeue') slurm(c, 'scontrol', ['requeue', `${job}_${i}`]);
      try {
        await until(`task ${i} to stop`, () => statusOf(runDir) !== 'running', 60_000, 100);
      } finally {
        scancel?.kill();
      }
      if (statusOf(runDir) !== 'interrupted') continue; // it finished before the signal arrived: try another task
      plan.shift();
      interrupted.set(i, { how, step: readRunJson(runDir)['summary'].step as number });
      // a requeued job waits (Reason=BeginTime) before it may start again; let it start now
      await until(`task ${i} to be pending again`, () => queued(c, job).get(i)?.state === 'PENDING', 60_000, 100);
      slurm(c, 'scontrol', ['update', `JobId=${job}_${i}`, 'StartTime=now']);
    }
    expect([...interrupted.values()].filter((x) => x.how === 'requeue')).toHaveLength(4);
    expect([...interrupted.values()].filter((x) => x.how === 'signal')).toHaveLength(2);
    const mid = descent(c, ['status', 'preempted'], cwd);
    note('descent status preempted (while requeued tasks wait)', mid.stdout);

    await until('the 16 tasks to complete', () => allCompleted(sweep), 300_000, 500);
    await until('the job to leave the queue', () => queued(c, job).size === 0, 60_000, 500);
    const col = descent(c, ['collect', 'preempted'], cwd);
    expect(col.code).toBe(0);
    expect(fs.readFileSync(path.join(sweep, 'summary.csv'), 'utf8')).toBe(fs.readFileSync(path.join(local, 'summary.csv'), 'utf8'));
    for (const d of dirs(sweep)) {
      expect(readRunJson(path.join(sweep, d))['paramsF64'], d).toEqual(readRunJson(path.join(local, d))['paramsF64']);
      expect(logWithoutTimes(path.join(sweep, d)), d).toBe(logWithoutTimes(path.join(local, d)));
      // every task released its entry folder's lock, the requeued ones included
      expect(fs.existsSync(path.join(sweep, d, '.descent.lock')), d).toBe(false);
    }
    const outs: string[] = [];
    for (const [i, { how, step }] of interrupted) {
      const d = path.join(sweep, dirs(sweep)[i]!);
      // resumed, not restarted: run.json records a resume from the step it stopped at, and so does its Slurm log
      expect(readRunJson(d)['resumed']).toEqual([{ at: expect.any(String), step }]);
      expect(step).toBeGreaterThan(0);
      const out = fs.readFileSync(path.join(sweep, `slurm-${job}_${i}.out`), 'utf8');
      expect(out).toContain(`stopped by ${how === 'requeue' ? 'SIGTERM' : 'SIGUSR1'} at step ${step} of 1000000`);
      if (how === 'signal') expect(out).toContain(`requeued Slurm job ${job}_${i}, which resumes from there.`);
      expect(out).toMatch(new RegExp(`: resuming from its checkpoint at step ${step} of 1000000 \\(Slurm job ${job}_${i} on [^,]+, restart 1\\)`));
      expect(out).not.toMatch(/starting at step 0[^\n]*restart/);
      outs.push(`### slurm-${job}_${i}.out (${how === 'requeue' ? 'scontrol requeue' : 'scancel --signal=USR1 --batch'})\n\n${out}`);
    }
    const st = descent(c, ['status', 'preempted'], cwd);
    expect(st.stdout).toMatch(/^preempted: quartic, 16 runs: 16 done /);
    note('descent status preempted (all done)', st.stdout);
    note('Slurm logs of the interrupted tasks', outs.join('\n'));

    // a requeued task whose run completed does nothing
    const done = [...interrupted.keys()][0]!;
    const before = fs.readFileSync(path.join(sweep, dirs(sweep)[done]!, 'run.json'), 'utf8');
    slurm(c, 'scontrol', ['requeue', `${job}_${done}`]);
    await until(`task ${done} to be pending again`, () => queued(c, job).get(done)?.state === 'PENDING', 60_000, 100);
    slurm(c, 'scontrol', ['update', `JobId=${job}_${done}`, 'StartTime=now']);
    await until(`task ${done} to run again`, () => queued(c, job).size === 0, 120_000, 250);
    const out = fs.readFileSync(path.join(sweep, `slurm-${job}_${done}.out`), 'utf8');
    expect(out).toMatch(/: already completed; nothing to do \(Slurm job \d+_\d+ on [^,]+, restart 2\)\n/);
    expect(fs.readFileSync(path.join(sweep, dirs(sweep)[done]!, 'run.json'), 'utf8')).toBe(before);
  }, 600_000);
});
