// A one-node Slurm for the tests: started by scripts/setup-slurm.sh in a temp folder, stopped by pid.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repo } from '../cli/e2e/helpers.js';

export interface Cluster {
  readonly state: string;
  /** The environment a user of this cluster has: SLURM_CONF, and a PATH without descent on it. */
  readonly env: NodeJS.ProcessEnv;
}

const script = path.join(repo, 'scripts/setup-slurm.sh');

/** A PATH with the system's folders only (where Slurm's commands are), not descent. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Installs (if needed) and starts the cluster. Where that cannot be done (no root, no package
 * registry) it throws an Error whose message is the script's one-line reason: the suite fails.
 */
export function startCluster(): Cluster {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-slurm-'));
  const r = spawnSync('bash', [script, 'start', state], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) {
    stopCluster({ state, env: {} });
    const why = (r.stderr.trim().split('\n').pop() ?? '') || (r.error ? r.error.message : `exit ${r.status ?? r.signal}`);
    throw new Error(`Slurm could not be started, so the Slurm suite cannot run: ${why}`);
  }
  const conf = r.stdout.trim().split('\n').pop()!;
  const env: NodeJS.ProcessEnv = { HOME: process.env['HOME'] ?? '/root', PATH: SYSTEM_PATH, SLURM_CONF: conf, LANG: 'C.UTF-8' };
  return { state, env };
}

/** Cancels every job of the cluster and stops its daemons by their pids. */
export function stopCluster(c: Cluster): void {
  if (c.env['SLURM_CONF']) spawnSync('scancel', ['--full', '--user', os.userInfo().username], { env: c.env, timeout: 30_000 });
  spawnSync('bash', [script, 'stop', c.state], { encoding: 'utf8', timeout: 120_000 });
}

/** Runs a Slurm command (squeue, scontrol…) on the cluster; its stdout, or an Error with its stderr. */
export function slurm(c: Cluster, cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { env: c.env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || r.error?.message}`);
  return r.stdout;
}

/** Slurm's state of each task of array job `job` still in the queue: index → state and reason. */
export function queued(c: Cluster, job: string): Map<number, { state: string; reason: string }> {
  const out = new Map<number, { state: string; reason: string }>();
  for (const line of slurm(c, 'squeue', ['-h', '-r', '-j', job, '-o', '%K|%T|%r']).trim().split('\n')) {
    const [task, state, reason] = line.split('|');
    if (task && /^\d+$/.test(task)) out.set(Number(task), { state: state!, reason: reason ?? '' });
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `done` every `everyMs` until it holds, failing with `what` after `timeoutMs`. */
export async function until(what: string, done: () => boolean, timeoutMs: number, everyMs = 250): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}
