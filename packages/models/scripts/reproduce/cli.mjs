// Running the descent CLI from the reproduction: one command, a pool of them, the CPU time they took.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { cli, repo } from './settings.mjs';

/** @typedef {{ code: number | null, stdout: string, seconds: number }} CliResult */

/**
 * Runs `descent ARGS`; stderr (progress) passes through, stdout is returned.
 * @param {readonly string[]} args
 * @param {{ capture?: boolean }} [options] capture stdout (else it passes through)
 * @returns {Promise<CliResult>}
 */
export function descent(args, { capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: repo, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    if (capture) child.stdout?.on('data', (/** @type {Buffer} */ d) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, seconds: (performance.now() - started) / 1000 }));
  });
}

/**
 * Fails loudly on anything but exit 0 or 1 (1: a claim failed, which the report shows).
 * @param {CliResult} r
 * @param {string} what the command, for the error
 */
export function check(r, what) {
  if (r.code !== 0 && r.code !== 1) throw new Error(`${what} exited ${r.code}`);
  return r;
}

/**
 * `jobs` tasks at a time; their results in the tasks' order.
 * @template T
 * @param {ReadonlyArray<() => Promise<T>>} tasks
 * @param {number} jobs
 * @returns {Promise<T[]>}
 */
export async function pool(tasks, jobs) {
  /** @type {T[]} */
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await /** @type {() => Promise<T>} */ (tasks[i])();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

/** User + system CPU seconds of every finished child process (Linux /proc; NaN elsewhere). */
export function childCpuSeconds() {
  try {
    const fields = (fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1] ?? '').split(' ');
    // fields from the state (3rd field of stat) on: cutime and cstime are stat fields 16 and 17
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}
