// The run-folder lock: a live holder refuses, a stale one (dead, reused pid, other boot, torn) is taken over.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../packages/cli/src/errors.js';
import { acquireLock, holderState, LOCK_FILE, processStart, type LockHolder } from '../../packages/cli/src/lock.js';

const folder = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'descent-lock-'));

function holder(over: Partial<LockHolder>): LockHolder {
  return { pid: process.pid, host: os.hostname(), boot: '', start: processStart(process.pid), command: 'run', since: 'then', token: 'x', ...over };
}

function plant(dir: string, h: LockHolder): void {
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(h));
}

describe('acquireLock', () => {
  it('takes a free folder, refuses a second taker naming the holder, and frees it on release', () => {
    const dir = folder();
    const lock = acquireLock(dir, 'run');
    expect(lock.held()).toBe(true);
    expect(() => acquireLock(dir, 'resume')).toThrow(new RegExp(`is being written by process ${process.pid} \\(descent run, since `));
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
    acquireLock(dir, 'resume').release();
  });

  it('a live process of another program holding the same pid number is told apart by its start time', () => {
    const dir = folder();
    // this process is alive, but the lock says it started at another time: its pid was reused
    plant(dir, holder({ start: '1', token: 'old' }));
    expect(holderState(holder({ start: '1' }))).toBe('stale');
    const lock = acquireLock(dir, 'resume');
    expect(lock.held()).toBe(true);
    lock.release();
  });

  it('a dead holder, a holder from before a reboot, and a torn lock file are stale', async () => {
    const child = spawn('true');
    await new Promise((r) => child.on('close', r));
    expect(holderState(holder({ pid: child.pid!, start: '' }))).toBe('stale');
    if (fs.existsSync('/proc/sys/kernel/random/boot_id')) expect(holderState(holder({ boot: 'another-boot' }))).toBe('stale');
    const dir = folder();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    acquireLock(dir, 'run').release();
  });

  it("another machine's lock is refused (it cannot be checked) unless taken over explicitly", () => {
    const dir = folder();
    plant(dir, holder({ host: 'elsewhere.example', token: 'far' }));
    expect(() => acquireLock(dir, 'resume')).toThrow(CliError);
    expect(() => acquireLock(dir, 'resume')).toThrow(/locked by process \d+ on elsewhere\.example .*which this machine cannot check; if that process has ended, pass --force \(resume\)/);
    const lock = acquireLock(dir, 'resume', { takeUnchecked: true });
    expect(lock.held()).toBe(true);
    lock.release();
  });

  it("another machine's lock taken by an earlier run of this requeued Slurm job is stale; the same run's, or another job's, is not", () => {
    const saved = { id: process.env['SLURM_JOB_ID'], restarts: process.env['SLURM_RESTART_COUNT'] };
    try {
      process.env['SLURM_JOB_ID'] = '4711';
      process.env['SLURM_RESTART_COUNT'] = '2';
      const far = (job: string): LockHolder => holder({ host: 'node7.example', job });
      expect(holderState(far('4711.1'))).toBe('stale');
      expect(holderState(far('4711.2'))).toBe('unknown');
      expect(holderState(far('4712.0'))).toBe('unknown');
      expect(holderState(holder({ host: 'node7.example' }))).toBe('unknown');
      const dir = folder();
      plant(dir, far('4711.0'));
      const lock = acquireLock(dir, 'sweep');
      expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ job: '4711.2', host: os.hostname() });
      lock.release();
    } finally {
      for (const [k, v] of [['SLURM_JOB_ID', saved.id], ['SLURM_RESTART_COUNT', saved.restarts]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a lock replaced by another taker after this one read it is not removed by release', () => {
    const dir = folder();
    const lock = acquireLock(dir, 'run');
    plant(dir, holder({ token: 'someone-else' }));
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
  });

  it("the files of a taker killed inside acquireLock are removed by the next holder; a live taker's are kept", async () => {
    const child = spawn('true');
    await new Promise((r) => child.on('close', r));
    const dir = folder();
    const dead = [`${LOCK_FILE}.${child.pid}.0a1b.tmp`, `${LOCK_FILE}.stale.${child.pid}.0a1b`];
    const live = `${LOCK_FILE}.${process.pid}.ffee.tmp`;
    for (const n of [...dead, live, '.unrelated.7.tmp']) fs.writeFileSync(path.join(dir, n), '{}');
    const lock = acquireLock(dir, 'resume');
    expect(fs.readdirSync(dir).sort()).toEqual([LOCK_FILE, live, '.unrelated.7.tmp'].sort());
    lock.release();
  });
});
