// Continuing a run folder: its run.json read and checked, whether a live process still runs it, and where to resume.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint } from './checkpoint.js';
import { CliError } from './errors.js';
import { identityOf, type ResumePoint, type RunJson } from './execute.js';
import { readJson, readJsonl, type LogRecord } from './runlog.js';
import type { Setup } from './setup.js';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** run.json of `dir`, checked enough to resume (or rerun) from; anything else is a one-paragraph CliError. */
export function readRunJson(dir: string, command = 'resume'): RunJson {
  const file = path.join(dir, 'run.json');
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new CliError(`descent ${command}: ${dir}: no such folder.`);
  }
  if (!st.isDirectory()) throw new CliError(`descent ${command}: ${dir} is a file; give the run's folder.`);
  if (!fs.existsSync(file)) {
    throw new CliError(`descent ${command}: ${dir} has no run.json, so it is not a run folder (or its run was stopped before it wrote anything); start the run again with descent run.`);
  }
  let j: unknown;
  try {
    j = readJson(file);
  } catch (e) {
    throw new CliError(`descent ${command}: ${file} is not readable JSON (${(e as Error).message.split('\n')[0]}).`);
  }
  if (!isObj(j) || j['format'] !== 'descent-run/1' || !isObj(j['config']) || !isObj(j['model']) || typeof j['status'] !== 'string') {
    throw new CliError(`descent ${command}: ${file} is not a descent run file (format descent-run/1 with its config).`);
  }
  return j as unknown as RunJson;
}

/** The pid of another live process on this machine that run.json says is running it, else null. */
export function stillRunning(j: RunJson): number | null {
  const p = (j as { process?: { pid?: unknown; host?: unknown } }).process;
  if (j.status !== 'running' || !p || typeof p.pid !== 'number' || p.host !== os.hostname() || p.pid === process.pid) return null;
  try {
    process.kill(p.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  // on Linux, a zombie (killed, not yet reaped) or a reused pid of another program is not the run
  try {
    const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(stat)) return null;
    const cmd = fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    if (!/descent|main\.js|sweep-worker/.test(cmd)) return null;
  } catch {
    /* no /proc: trust the signal check */
  }
  return p.pid;
}

/**
 * Where the run in `dir` continues: its checkpoint (null: from step 0) and its log cut to the
 * checkpoint's length (the records after it will be computed again). `s` is the run compiled
 * again; the model text must be the one run.json names.
 */
export function resumePointOf(dir: string, j: RunJson, s: Setup, command: string): ResumePoint {
  const identity = identityOf(s);
  if (identity.sha256 !== j.model.sha256) {
    throw new CliError(`descent ${command}: the model file ${s.model.file} changed since the run started (its sha256 differs from run.json's), so the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
  const found = readCheckpoint(dir, s.program.paramInfo, identity, command);
  const logFile = path.join(dir, 'log.jsonl');
  const pos = found?.log ?? { bytes: 0, records: 0 };
  let size = 0;
  try {
    size = fs.statSync(logFile).size;
  } catch {
    if (pos.bytes > 0) throw new CliError(`descent ${command}: ${logFile} is missing, but the checkpoint refers to its first ${pos.bytes} bytes; the run cannot be continued.`);
    fs.writeFileSync(logFile, '');
  }
  if (size < pos.bytes) {
    throw new CliError(`descent ${command}: ${logFile} has ${size} bytes, fewer than the ${pos.bytes} the checkpoint at step ${found!.checkpoint.step} refers to; it was changed, and the run cannot be continued.`);
  }
  fs.truncateSync(logFile, pos.bytes);
  let records: LogRecord[];
  try {
    const r = readJsonl<LogRecord>(logFile);
    if (r.tornTail || r.records.length !== pos.records) throw new Error(`it holds ${r.records.length} whole records where the checkpoint says ${pos.records}`);
    records = r.records;
  } catch (e) {
    throw new CliError(`descent ${command}: ${logFile} does not match its checkpoint (${(e as Error).message.replace(`${logFile}: `, '')}); the run cannot be continued.`);
  }
  return { runJson: j, checkpoint: found?.checkpoint ?? null, log: pos, records };
}
