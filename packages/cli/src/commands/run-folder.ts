// A run folder's run.json, read and checked enough to resume or rerun from (resume and run both read it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadRefused } from '../bounded-read.js';
import { CliError } from '../errors.js';
import type { RunJson } from '../execute.js';
import { readJson } from '../runlog.js';

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
    throw new CliError(`descent ${command}: ${file} ${e instanceof ReadRefused ? `cannot be read (${e.reason})` : `is not readable JSON (${(e as Error).message.split('\n')[0]})`}.`);
  }
  if (!isObj(j) || j['format'] !== 'descent-run/1' || !isObj(j['config']) || !isObj(j['model']) || !isObj(j['settings']) || typeof j['status'] !== 'string') {
    throw new CliError(`descent ${command}: ${file} is not a descent run file (format descent-run/1 with its model, config and settings).`);
  }
  return j as unknown as RunJson;
}
