// One writer per run folder: an exclusive lock file naming its live holder, stale locks told apart from live ones.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliError } from './errors.js';

/** The lock file in a run folder (not a run file: --force never removes a live one). */
export const LOCK_FILE = '.descent.lock';

/** Who holds a lock: enough to tell whether that process is still the same one. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The kernel's boot id: a lock from before a reboot is stale whatever its pid. */
  readonly boot: string;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22): a reused pid has another. */
  readonly start: string;
  readonly command: string;
  readonly since: string;
  /** Unique per lock taken (threads of one process hold different folders' locks). */
  readonly token: string;
  /** The Slurm job the holder ran as and its restart count, `JOBID.RESTARTS` (see schedulerJob); absent outside Slurm. */
  readonly job?: string;
}

/** This process's Slurm job and how often it was requeued (`JOBID.RESTARTS`), or undefined outside Slurm. */
export function schedulerJob(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const id = env['SLURM_JOB_ID'];
  return id ? `${id}.${env['SLURM_RESTART_COUNT'] ?? '0'}` : undefined;
}

/**
 * True when `h` was taken by an earlier run of this very Slurm job (same job id, fewer restarts):
 * Slurm starts a requeued job only after its previous run ended, so such a holder is gone even on
 * a machine this one cannot check (a requeued array task often lands on another node).
 */
function earlierRunOfThisJob(h: LockHolder): boolean {
  const mine = schedulerJob()?.split('.');
  const theirs = h.job?.split('.');
  return mine !== undefined && theirs !== undefined && mine[0] === theirs[0] && Number(theirs[1]) < Number(mine[1]);
}

function readSmall(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

let bootCache: string | undefined;
function bootId(): string {
  bootCache ??= readSmall('/proc/sys/kernel/random/boot_id')?.trim() ?? '';
  return bootCache;
}

let ownStartCache: string | undefined;

/** Field 22 of /proc/PID/stat (start time), or '' where there is no /proc. This process's is read once: it does not change. */
export function processStart(pid: number): string {
  if (pid === process.pid) return (ownStartCache ??= readProcessStart(pid));
  return readProcessStart(pid);
}

function readProcessStart(pid: number): string {
  const stat = readSmall(`/proc/${pid}/stat`);
  if (stat === null) return '';
  // the command name (field 2) is in parentheses and may hold spaces: count from the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? '';
}

/** Whether a process is alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readSmall(`/proc/${pid}/stat`);
  return stat === null || !/\) [ZX] /.test(stat);
}

/**
 * 'live' when the holder is certainly running (this machine, same boot, same pid and start time),
 * 'stale' when it certainly is not, 'unknown' for another machine's lock (a shared file system)
 * unless an earlier run of this process's own Slurm job took it.
 */
export function holderState(h: LockHolder): 'live' | 'stale' | 'unknown' {
  if (h.host !== os.hostname()) return earlierRunOfThisJob(h) ? 'stale' : 'unknown';
  if (h.boot !== '' && bootId() !== '' && h.boot !== bootId()) return 'stale';
  if (!alive(h.pid)) return 'stale';
  const start = processStart(h.pid);
  if (start !== '' && h.start !== '' && start !== h.start) return 'stale';
  return 'live';
}

function parseHolder(text: string | null): LockHolder | null {
  if (text === null) return null;
  try {
    const j = JSON.parse(text) as Partial<LockHolder>;
    if (typeof j.pid === 'number' && typeof j.host === 'string' && typeof j.token === 'string') {
      return { boot: '', start: '', command: '?', since: '?', ...j } as LockHolder;
    }
  } catch {
    /* torn or foreign: treated below */
  }
  return null;
}

/** "process 1234 (descent resume, since 2026-…)" */
export function holderText(h: LockHolder): string {
  return `process ${h.pid}${h.host !== os.hostname() ? ` on ${h.host}` : ''} (descent ${h.command}, since ${h.since})`;
}

/** The holder of `dir`'s lock if a live (or possibly live) process holds it, else null. */
export function liveHolder(dir: string): LockHolder | null {
  const h = parseHolder(readSmall(path.join(dir, LOCK_FILE)));
  return h && holderState(h) !== 'stale' ? h : null;
}

/** A held lock; release() removes it if it is still this one. */
export class RunLock {
  private released = false;
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {}

  /** True while the lock file is still this lock's. */
  held(): boolean {
    return !this.released && parseHolder(readSmall(path.join(this.dir, LOCK_FILE)))?.token === this.holder.token;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    HELD.delete(this);
    const file = path.join(this.dir, LOCK_FILE);
    try {
      if (parseHolder(readSmall(file))?.token === this.holder.token) fs.rmSync(file, { force: true });
    } catch {
      // a folder turned read-only: the lock stays, and is stale once this process ends
    }
  }
}

/** Locks held by this process, released at its exit whatever the path (process.exit included). */
const HELD = new Set<RunLock>();
let exitHook = false;

/**
 * Takes `dir`'s lock (the folder must exist), or throws a CliError (exit 2) naming the live
 * holder. The lock file is made with its contents in one step (written to a private file, then
 * hard-linked: link(2) fails if the name exists). A stale lock (its process gone, its pid reused
 * by another process, or from before a reboot) is moved aside by rename and taken over; if what
 * was moved is not the stale lock read (another process took it in between), it is put back.
 * `takeUnchecked` also takes over a lock from another machine (resume --force).
 */
export function acquireLock(dir: string, command: string, options: { readonly takeUnchecked?: boolean } = {}): RunLock {
  const file = path.join(dir, LOCK_FILE);
  const job = schedulerJob();
  const holder: LockHolder = {
    pid: process.pid, host: os.hostname(), boot: bootId(), start: processStart(process.pid), command,
    since: new Date().toISOString(), token: randomBytes(12).toString('hex'), ...(job ? { job } : {}),
  };
  const mine = path.join(dir, `${LOCK_FILE}.${process.pid}.${holder.token}.tmp`);
  try {
    fs.writeFileSync(mine, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  } catch (e) {
    throw new CliError(`descent ${command}: cannot write to ${dir}: ${writeFailure(e)}.`);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(mine, file);
        removeDeadAcquirersFiles(dir);
        const lock = new RunLock(dir, holder);
        HELD.add(lock);
        if (!exitHook) {
          exitHook = true;
          process.on('exit', () => {
            for (const l of [...HELD]) l.release();
          });
        }
        return lock;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CliError(`descent ${command}: cannot lock ${dir}: ${writeFailure(e)}.`);
      }
      const text = readSmall(file);
      if (text === null) continue; // released meanwhile: try again
      const other = parseHolder(text);
      const state = other ? holderState(other) : 'stale';
      if (other && state === 'live') {
        throw new CliError(`descent ${command}: ${dir} is being written by ${holderText(other)}; one process at a time may write a run folder. Wait for it to end, or stop it first.`);
      }
      if (other && state === 'unknown' && !options.takeUnchecked) {
        throw new CliError(`descent ${command}: ${dir} is locked by ${holderText(other)}, which this machine cannot check; if that process has ended, pass --force (resume) or remove ${file}, and try again.`);
      }
      // stale (or unreadable: a lock is written whole, so a torn one is not a live holder's)
      const aside = path.join(dir, `${LOCK_FILE}.stale.${process.pid}.${holder.token}`);
      try {
        fs.renameSync(file, aside);
      } catch {
        continue; // gone already
      }
      if (readSmall(aside) !== text) {
        // someone replaced the stale lock with a live one between our read and the rename
        try {
          fs.linkSync(aside, file);
        } catch {
          /* a third process took it meanwhile; that one holds it */
        }
      }
      fs.rmSync(aside, { force: true });
    }
    throw new CliError(`descent ${command}: could not lock ${dir}: other processes keep taking and releasing it.`);
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/** A lock's private file (`.descent.lock.PID.TOKEN.tmp`) or a stale lock moved aside (`.descent.lock.stale.PID.TOKEN`). */
const ACQUIRER_FILE = /^\.descent\.lock\.(?:stale\.)?(\d+)\.[0-9a-f]+(?:\.tmp)?$/;

/**
 * Removes the files of acquireLock calls whose process was killed inside them (between writing
 * its private file and removing it, or between moving a stale lock aside and deleting it). Run by
 * the new holder; a live acquirer's files are left alone, since it still reads them.
 */
function removeDeadAcquirersFiles(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = ACQUIRER_FILE.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** The reason a write failed, in words (the error's code, or its message). */
export function writeFailure(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device (the disk is full)';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'EFBIG':
      return 'the file is larger than this process may write (file size limit, ulimit -f)';
    case 'EIO':
      return 'an input/output error on the device';
    default:
      return (e as Error).message;
  }
}

/** Error codes that say the file system refused a write: reported as exit 2, not as a bug. */
export const WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'ENOENT', 'EISDIR']);
