// Slurm's commands: submitting a sweep's script, requeueing the running task, the states of a job's tasks.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors.js';

/** Where Slurm's commands usually are when PATH does not say (a task started with --export=NONE). */
const USUAL_DIRS = ['/usr/bin', '/usr/local/bin', '/bin', '/opt/slurm/bin'];

/** The absolute path of Slurm's command `name` (sbatch, squeue…), or null when it is not installed. */
export function slurmCommand(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== ''), ...USUAL_DIRS];
  for (const d of dirs) {
    const file = path.join(d, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * Splits a command line the way a POSIX shell splits words: whitespace separates, '…' and "…"
 * quote, a backslash escapes the next character (outside single quotes). No expansions.
 * @example splitShellWords(`--time=1:00:00 --comment "a b"`) // ['--time=1:00:00', '--comment', 'a b']
 */
export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) word += s[++i]!;
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < s.length) {
      word = (word ?? '') + s[++i]!;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new CliError(`descent sweep: --sbatch-args "${s}" has an unclosed ${quote === "'" ? 'single' : 'double'} quote.`);
  if (word !== null) words.push(word);
  return words;
}

/** First line of a command's error output, for messages. */
const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

/** Runs `sbatch --parsable ARGS SCRIPT` and returns the job id; a failure is a CliError naming why. */
export function submitScript(script: string, sbatchArgs: readonly string[]): string {
  const sbatch = slurmCommand('sbatch');
  if (!sbatch) throw new CliError('descent sweep: --submit slurm needs Slurm\'s sbatch, which is not installed here (not on the PATH, nor in /usr/bin or /usr/local/bin). Write the script with --emit slurm and submit it where Slurm is.');
  const r = spawnSync(sbatch, ['--parsable', ...sbatchArgs, script], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new CliError(`descent sweep: ${sbatch} could not run: ${r.error.message}.`);
  const id = /^(\d+)(;\S+)?\s*$/.exec(r.stdout.trim())?.[1];
  if (r.status !== 0 || !id) {
    const why = firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.status ?? r.signal}`;
    throw new CliError(`descent sweep: sbatch refused the job: ${why}. The script is in ${script}.`);
  }
  return id;
}

/** "12_3" for array task 3 of job 12 (the job id alone for a plain job), or null outside Slurm. */
export function slurmTask(env: NodeJS.ProcessEnv = process.env): string | null {
  const id = env['SLURM_JOB_ID'];
  if (!id) return null;
  return env['SLURM_ARRAY_JOB_ID'] && env['SLURM_ARRAY_TASK_ID'] ? `${env['SLURM_ARRAY_JOB_ID']}_${env['SLURM_ARRAY_TASK_ID']}` : id;
}

/**
 * Asks Slurm to requeue the task this process runs in (after a SIGUSR1 before the time limit).
 * Returns the job id requeued, or why not.
 */
export function requeueThisTask(env: NodeJS.ProcessEnv = process.env): { readonly job: string } | { readonly error: string } {
  const id = env['SLURM_JOB_ID'];
  const job = slurmTask(env);
  if (!id || !job) return { error: 'not running under Slurm (no SLURM_JOB_ID)' };
  const scontrol = slurmCommand('scontrol', env);
  if (!scontrol) return { error: 'scontrol is not installed on this node' };
  const r = spawnSync(scontrol, ['requeue', id], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return { error: `scontrol requeue ${id} failed: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.status ?? r.signal}`}` };
  return { job };
}

/** What Slurm says of one array task. */
export interface TaskState {
  /** "12_3". */
  readonly job: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, PREEMPTED, NODE_FAIL, OUT_OF_MEMORY… */
  readonly state: string;
  /** Why it is pending (squeue's reason), when it is. */
  readonly reason?: string;
  /** "exit:signal" of the batch script, once it ended. */
  readonly exitCode?: string;
  readonly restarts?: number;
}

/** Task indices of an array spec: "3", "4-15", "4-15%2", "1,3,6-8". */
export function arrayIndices(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').replace(/^\[|\]$/g, '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::\d+)?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && out.length < 1_000_000; i++) out.push(i);
  }
  return out;
}

export const LIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

function run(cmd: string | null, args: readonly string[]): string | null {
  if (!cmd) return null;
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && !r.error ? r.stdout : null;
}

/**
 * The states of the tasks of array jobs `jobIds` (later jobs win for the same index): live ones
 * from squeue, ended ones from sacct, or from `scontrol show job` where accounting is off (it
 * keeps ended jobs for MinJobAge seconds). `note` says what could not be asked.
 */
export function taskStates(jobIds: readonly string[]): { states: Map<number, TaskState>; note?: string } {
  const states = new Map<number, TaskState>();
  if (jobIds.length === 0) return { states };
  const squeue = slurmCommand('squeue');
  if (!squeue) return { states, note: 'squeue is not installed here, so the Slurm states are not shown' };
  for (const id of jobIds) {
    const ended = new Map<number, TaskState>();
    const acct = run(slurmCommand('sacct'), ['-n', '-P', '-X', '-j', id, '--format=JobID,State,ExitCode']);
    if (acct !== null && acct.trim() !== '') {
      for (const line of acct.trim().split('\n')) {
        const [jobId = '', state = '', exitCode = ''] = line.split('|');
        const m = /^(\d+)_(.+)$/.exec(jobId);
        if (!m) continue;
        for (const i of arrayIndices(m[2]!)) ended.set(i, { job: `${m[1]}_${i}`, state: state.split(' ')[0]!, exitCode });
      }
    } else {
      const show = run(slurmCommand('scontrol'), ['show', 'job', '-o', id]);
      for (const line of show?.trim().split('\n') ?? []) {
        const field = (k: string): string | undefined => new RegExp(`(?:^| )${k}=(\\S*)`).exec(line)?.[1];
        const tasks = field('ArrayTaskId');
        if (field('ArrayJobId') !== id || !tasks) continue;
        const restarts = Number(field('Restarts') ?? 0);
        for (const i of arrayIndices(tasks)) {
          ended.set(i, { job: `${id}_${i}`, state: field('JobState') ?? '?', exitCode: field('ExitCode') ?? '', restarts, ...(field('Reason') && field('Reason') !== 'None' ? { reason: field('Reason')! } : {}) });
        }
      }
    }
    for (const [i, s] of ended) states.set(i, s);
    const live = run(squeue, ['-h', '-r', '-j', id, '-o', '%F|%K|%T|%r']);
    for (const line of live?.trim().split('\n') ?? []) {
      const [arrayJob = '', task = '', state = '', reason = ''] = line.split('|');
      for (const i of arrayIndices(task)) {
        const before = states.get(i);
        states.set(i, { job: `${arrayJob}_${i}`, state, ...(reason && reason !== 'None' ? { reason } : {}), ...(before?.restarts !== undefined ? { restarts: before.restarts } : {}) });
      }
    }
  }
  return { states };
}
