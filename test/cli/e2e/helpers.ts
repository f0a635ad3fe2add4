// Spawning the built CLI (packages/cli/dist/main.js) in a scratch folder, as a user would run it.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = path.join(repo, 'packages/cli/dist/main.js');
export const fixtures = path.join(repo, 'test/cli/fixtures');
export const fixture = (name: string): string => path.join(fixtures, `${name}.loss`);

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh empty folder under the OS temp dir. */
export function scratch(prefix = 'descent-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The environment of every spawn: prebuilt models are the fixtures, so the tests do not depend on packages/models. */
export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DESCENT_MODELS: fixtures, ...extra };
  delete e['DESCENT_DEBUG'];
  return e;
}

/**
 * Runs `descent ARGS` to completion without blocking the test's event loop (so several can run
 * at once); `fileSizeKib` runs it under `ulimit -f` (writes past that size fail with EFBIG).
 */
export function descentAsync(args: readonly string[], options: { cwd: string; env?: Record<string, string>; fileSizeKib?: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const argv = [cli, ...args];
    const child =
      options.fileSizeKib === undefined
        ? spawn(process.execPath, argv, { cwd: options.cwd, env: env(options.env) })
        : spawn('bash', ['-c', `ulimit -f ${options.fileSizeKib}; exec "$@"`, 'bash', process.execPath, ...argv], { cwd: options.cwd, env: env(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** mulberry32: moments and sizes of fault trials come from a fixed seed, so a failure can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The log's records without `elapsed`, the one field that may differ between identical runs. */
export function logWithoutTimes(dir: string): string[] {
  return fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => {
    const { elapsed: _, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify(rest);
  });
}

/** Runs `descent ARGS` to completion (with `input` on its standard input). */
export function descent(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Result {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? scratch(), env: env(options.env), encoding: 'utf8', timeout: 60_000, ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `descent ARGS`, sends `signal` once `ready(stderr)` holds (or the file `readyFile`, every
 * one of them if several, exists and is not empty), and waits for the exit.
 */
export function descentInterrupted(args: readonly string[], signal: NodeJS.Signals, readyFile: string | readonly string[], cwd: string): Promise<Result> {
  const ready = typeof readyFile === 'string' ? [readyFile] : readyFile;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setInterval(() => {
      if (ready.every((f) => fs.existsSync(f) && fs.statSync(f).size > 0)) {
        clearInterval(timer);
        setTimeout(() => child.kill(signal), 100);
      }
    }, 20);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

export interface LogRecord {
  step: number;
  loss: number | null;
  metrics: Record<string, number | null | (number | null)[]>;
  elapsed: number;
  /** Where a value is not finite: its path ("loss", "metrics.norm[1]") and what it is ("NaN", "Infinity", "-Infinity"). */
  nonfinite?: Record<string, string>;
}

export function readLog(dir: string): LogRecord[] {
  return fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as LogRecord);
}

export function readRunJson(dir: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as Record<string, any>;
}

/** No stack trace: no "    at f (file:line:col)" lines. */
export const STACK = /^\s+at .*:\d+:\d+\)?$/m;

/** Runs async tasks two at a time (the machine has 2 cores). */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const k = next++;
      out[k] = await tasks[k]!();
    }
  }));
  return out;
}
