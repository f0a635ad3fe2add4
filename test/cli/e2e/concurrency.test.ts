// Two writers at once into one run folder: exactly one wins, the other is refused (exit 2); no mixed or duplicated record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descent, descentAsync, descentInterrupted, fixture, logWithoutTimes as records, pool, readRunJson, scratch, STACK, type Result } from './helpers.js';

const start = (args: readonly string[], cwd: string): Promise<Result> => descentAsync(args, { cwd });

const TRIALS = 20;

/** What a folder must hold after its one writer: no lock, no temporary file, no reserve. */
function expectTidy(dir: string): void {
  expect(fs.readdirSync(dir).filter((n) => n.startsWith('.')), dir).toEqual([]);
}

/** The refusal of the loser: the lock (a live writer named), or the state the winner left. */
const REFUSED = /is being written by process \d+ \(descent (run|resume), since [^)]+\); one process at a time may write a run folder|holds a previous run; refusing to overwrite it|already completed; nothing to resume/;

const tally: string[] = [];
afterAll(() => {
  if (tally.length > 0) console.log(tally.join('\n'));
});

describe('one writer per run folder', () => {
  const cwd = scratch('descent-concurrent-');
  const runArgs = (seed: number): string[] => ['run', fixture('sampled'), '--steps', '15000', '--seed', String(seed), '--checkpoint-every', '1000', '--quiet'];

  it(`${TRIALS} trials of two concurrent runs into one folder: one exits 0, the other 2; the folder is the winner's run, whole`, async () => {
    const refs = [1, 2].map((seed) => {
      const dir = path.join(cwd, `ref-${seed}`);
      expect(descent([...runArgs(seed), '--out', dir], { cwd }).code).toBe(0);
      return dir;
    });
    let byLock = 0;
    const outcomes = await pool(Array.from({ length: TRIALS }, (_, t) => async () => {
      const dir = path.join(cwd, `runs-${t}`);
      const [a, b] = await Promise.all([start([...runArgs(1), '--out', dir], cwd), start([...runArgs(2), '--out', dir], cwd)]);
      const codes = [a.code, b.code].sort();
      expect(codes, `trial ${t}: ${a.stderr} ${b.stderr}`).toEqual([0, 2]);
      const loser = a.code === 2 ? a : b;
      expect(loser.stderr).toMatch(REFUSED);
      expect(loser.stderr).not.toMatch(STACK);
      if (/is being written by/.test(loser.stderr)) byLock++;
      const winnerSeed = a.code === 0 ? 1 : 2;
      const j = readRunJson(dir);
      expect(j['status']).toBe('completed');
      expect(j['config']['seed']).toBe(winnerSeed);
      // the winner's run, record for record and bit for bit: nothing of the loser's
      const ref = refs[winnerSeed - 1]!;
      expect(records(dir)).toEqual(records(ref));
      expect(j['paramsF64']).toEqual(readRunJson(ref)['paramsF64']);
      expectTidy(dir);
      return loser.stderr;
    }));
    tally.push(`concurrent runs: ${outcomes.length}/${TRIALS} trials with exactly one winner and the winner's run intact; ${byLock} losers refused by the lock (a live writer), ${TRIALS - byLock} by the finished run`);
  }, 240_000);

  it(`${TRIALS} trials of two concurrent resumes of one run: one exits 0, the other 2; the log has each record once, equal to an uninterrupted run`, async () => {
    const args = ['run', fixture('sampled'), '--optimizer', 'adam', '--fresh', '--steps', '60000', '--seed', '4', '--checkpoint-every', '2000', '--quiet'];
    const ref = path.join(cwd, 'resume-ref');
    expect(descent([...args, '--out', ref], { cwd }).code).toBe(0);
    const base = path.join(cwd, 'resume-base');
    const stopped = await descentInterrupted([...args, '--out', base], 'SIGINT', path.join(base, 'log.jsonl'), cwd);
    expect(stopped.code, stopped.stderr).toBe(130);
    let byLock = 0;
    const outcomes = await pool(Array.from({ length: TRIALS }, (_, t) => async () => {
      const dir = path.join(cwd, `resume-${t}`);
      fs.cpSync(base, dir, { recursive: true });
      const [a, b] = await Promise.all([start(['resume', dir, '--quiet'], cwd), start(['resume', dir, '--quiet'], cwd)]);
      expect([a.code, b.code].sort(), `trial ${t}: ${a.stderr} ${b.stderr}`).toEqual([0, 2]);
      const loser = a.code === 2 ? a : b;
      expect(loser.stderr).toMatch(REFUSED);
      expect(loser.stderr).not.toMatch(STACK);
      if (/is being written by/.test(loser.stderr)) byLock++;
      const j = readRunJson(dir);
      expect(j['status']).toBe('completed');
      expect(j['resumed']).toHaveLength(1);
      const log = records(dir);
      const steps = log.map((l) => (JSON.parse(l) as { step: number }).step);
      expect(new Set(steps).size).toBe(steps.length);
      expect(log).toEqual(records(ref));
      expect(j['paramsF64']).toEqual(readRunJson(ref)['paramsF64']);
      expectTidy(dir);
      return t;
    }));
    tally.push(`concurrent resumes: ${outcomes.length}/${TRIALS} trials with exactly one winner, every record once and equal to the uninterrupted run; ${byLock} losers refused by the lock, ${TRIALS - byLock} by the completed run`);
  }, 240_000);

  it('--force over a live run, and a run --force over a live resume, are refused naming the live process; the live one completes', async () => {
    for (const over of ['run', 'resume'] as const) {
      const dir = path.join(cwd, `force-${over}`);
      const long = ['run', fixture('sampled'), '--steps', '600000', '--checkpoint-every', '50000', '--quiet', '--out', dir];
      let live: Promise<Result>;
      if (over === 'run') {
        live = start(long, cwd);
      } else {
        const stopped = await descentInterrupted(long, 'SIGINT', path.join(dir, 'log.jsonl'), cwd);
        expect(stopped.code).toBe(130);
        live = start(['resume', dir, '--quiet'], cwd);
      }
      // wait until the live writer holds the lock
      const lockFile = path.join(dir, '.descent.lock');
      for (let i = 0; i < 1000 && !(fs.existsSync(lockFile) && fs.readFileSync(lockFile, 'utf8').includes(`"command":"${over}"`)); i++) await new Promise((r) => setTimeout(r, 10));
      const holder = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number };
      const forced = descent(['run', fixture('quartic'), '--steps', '10', '--out', dir, '--force', '--quiet'], { cwd });
      expect(forced.code).toBe(2);
      expect(forced.stderr).toContain(`is being written by process ${holder.pid} (descent ${over}`);
      const r = await live;
      expect(r.code, r.stderr).toBe(0);
      const j = readRunJson(dir);
      expect(j['status']).toBe('completed');
      expect(j['model']['name']).toBe('sampled');
      expectTidy(dir);
    }
  }, 120_000);
});
