// Fault injection: the disk fills (a small tmpfs) or the file size limit is hit (ulimit -f) at random moments of run and resume.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descent, descentAsync, fixture, logWithoutTimes as records, pool, readRunJson, rng, scratch, STACK, type Result } from './helpers.js';

/** `descent ARGS` under `ulimit -f KIB` (no limit when undefined). */
const descentLimited = (args: readonly string[], cwd: string, kib?: number): Promise<Result> => descentAsync(args, { cwd, ...(kib === undefined ? {} : { fileSizeKib: kib }) });

/** What a failed write must leave: exit 2 with the reason, run.json "failed", whole log lines, no temporary file or lock. */
function expectFailedCleanly(r: Result, dir: string, reason: RegExp): number {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toMatch(/run\.json is marked "failed"/);
  expect(r.stderr).not.toMatch(STACK);
  const j = readRunJson(dir);
  expect(j['status']).toBe('failed');
  expect(j['failure']['reason']).toMatch(reason);
  const text = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8');
  if (text !== '') expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
  expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n === '.descent.lock'), dir).toEqual([]);
  return text === '' ? 0 : text.trimEnd().split('\n').length;
}

const ENOSPC = /no space left on the device \(the disk is full\)/;
const EFBIG = /larger than this process may write \(file size limit, ulimit -f\)/;
const TRIALS = 5;
// every step logged: the log grows steadily (about 90 bytes a step) to about 0.6 MB
const ARGS = ['run', fixture('sampled'), '--optimizer', 'momentum', '--fresh', '--steps', '6000', '--log', '6000', '--seed', '8', '--checkpoint-every', '250', '--quiet'];

const tally: string[] = [];
afterAll(() => {
  if (tally.length > 0) console.log(tally.join('\n'));
});

describe('fault injection: disk full and file size limit during run and resume', () => {
  const cwd = scratch('descent-faults-');
  const ref = path.join(cwd, 'ref');
  const disks: string[] = [];

  beforeAll(() => {
    expect(descent([...ARGS, '--out', ref], { cwd }).code).toBe(0);
  }, 60_000);

  afterAll(() => {
    for (const d of disks) {
      try {
        execFileSync('umount', [d]);
      } catch {
        /* already gone */
      }
    }
  });

  /** Resumes (unless the last resume completed), then compares with the uninterrupted reference bit for bit. */
  async function finish(dir: string): Promise<void> {
    if (readRunJson(dir)['status'] !== 'completed') {
      const r = await descentLimited(['resume', dir, '--quiet'], cwd);
      expect(r.code, r.stderr).toBe(0);
    }
    const j = readRunJson(dir);
    expect(j['status']).toBe('completed');
    expect(j['paramsF64']).toEqual(readRunJson(ref)['paramsF64']);
    expect(records(dir)).toEqual(records(ref));
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  }

  it(`ENOSPC: ${TRIALS} trials on a 1 MiB tmpfs filled to a random level; exit 2, run.json "failed", whole lines; resume after freeing space is bit-identical`, async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a small tmpfs and must run as root (CI does)');
    const rand = rng(20261203);
    const plan = Array.from({ length: TRIALS }, (_, t) => ({ t, free: 180 + Math.floor(rand() * 420), freeOnResume: Math.floor(rand() * 300) }));
    const outcomes = await pool(plan.map((p) => async () => {
      const disk = path.join(cwd, `disk-${p.t}`);
      fs.mkdirSync(disk);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
      disks.push(disk);
      // leave `free` KiB: the run fills the rest at a moment that depends on it
      const filler = path.join(disk, 'filler');
      fs.writeFileSync(filler, Buffer.alloc((1024 - p.free) * 1024));
      const dir = path.join(disk, 'run');
      const r = await descentLimited([...ARGS, '--out', dir], cwd);
      const kept = expectFailedCleanly(r, dir, ENOSPC);
      // free a little: the resume may fill the disk again (and fail the same clean way), or finish
      fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - p.freeOnResume * 1024));
      const again = await descentLimited(['resume', dir, '--quiet'], cwd);
      const failedAgain = again.code !== 0;
      if (failedAgain) expectFailedCleanly(again, dir, ENOSPC);
      fs.rmSync(filler);
      await finish(dir);
      return `  trial ${p.t}: ${p.free} KiB free → failed with ${kept} whole records; +${p.freeOnResume} KiB → resume ${failedAgain ? 'failed again, cleanly' : 'completed'}; all space → completed, bit-identical`;
    }));
    tally.push(`ENOSPC: ${outcomes.length}/${TRIALS} trials failed cleanly and resumed bit-identically`, ...outcomes);
  }, 300_000);

  it(`EFBIG: ${TRIALS} trials under a random ulimit -f; exit 2, run.json "failed", whole lines; resume without the limit is bit-identical`, async () => {
    const rand = rng(7);
    const plan = Array.from({ length: TRIALS }, (_, t) => ({ t, kib: 120 + Math.floor(rand() * 400), more: Math.floor(rand() * 200) }));
    const outcomes = await pool(plan.map((p) => async () => {
      const dir = path.join(cwd, `fsize-${p.t}`);
      const r = await descentLimited([...ARGS, '--out', dir], cwd, p.kib);
      const kept = expectFailedCleanly(r, dir, EFBIG);
      const again = await descentLimited(['resume', dir, '--quiet'], cwd, p.kib + p.more);
      const failedAgain = again.code !== 0;
      if (failedAgain) expectFailedCleanly(again, dir, EFBIG);
      await finish(dir);
      return `  trial ${p.t}: ulimit -f ${p.kib} → failed with ${kept} whole records; ${p.kib + p.more} → resume ${failedAgain ? 'failed again, cleanly' : 'completed'}; no limit → completed, bit-identical`;
    }));
    tally.push(`EFBIG: ${outcomes.length}/${TRIALS} trials failed cleanly and resumed bit-identically`, ...outcomes);
  }, 300_000);
});
