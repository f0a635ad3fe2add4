// Continuing a run folder (resume, or a requeued sweep task): run.json read and checked, and where the run goes on from.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadRefused } from './bounded-read.js';
import { readCheckpoint } from './checkpoint.js';
import { CliError } from './errors.js';
import { identityOf, kernelsInUse, runIdentity, type ResumePoint, type RunJson } from './execute.js';
import { brokenFields, fieldList, isSeal } from './integrity.js';
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
    throw new CliError(`descent ${command}: ${file} ${e instanceof ReadRefused ? `cannot be read (${e.reason})` : `is not readable JSON (${(e as Error).message.split('\n')[0]})`}.`);
  }
  if (!isObj(j) || j['format'] !== 'descent-run/1' || !isObj(j['config']) || !isObj(j['model']) || !isObj(j['settings']) || typeof j['status'] !== 'string') {
    throw new CliError(`descent ${command}: ${file} is not a descent run file (format descent-run/1 with its model, config and settings).`);
  }
  return j as unknown as RunJson;
}

/** Refuses a run.json whose identity (model, config, settings) is not what its checksums say. */
export function checkIntegrity(j: RunJson, file: string, command: string): void {
  if (!isSeal(j.integrity)) {
    throw new CliError(`descent ${command}: ${file} has no valid field integrity (the checksums of its model, config and settings): it was written by an older descent or edited; the run cannot be continued exactly. Start it again.`);
  }
  const broken = brokenFields(runIdentity(j), j.integrity);
  if (broken.length > 0) {
    throw new CliError(`descent ${command}: ${file} fails its checksum: ${fieldList(broken)} changed since the run started; the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
}

/** The kernels the run computed with most recently: its start's, or those of its last resume that changed them. */
function runKernels(j: RunJson): string | undefined {
  const changed = [...(j.resumed ?? [])].reverse().find((r) => r.kernels !== undefined);
  return changed?.kernels ?? j.versions?.['kernels'];
}

/**
 * The kernels to record as a change (--allow-kernel-change), or undefined when they are the run's.
 * Results differ between kernels in the last bits: continuing with others is not the same run, so
 * without `allow` a change is refused.
 */
export function kernelChangeOf(dir: string, j: RunJson, allow: boolean, command: string): string | undefined {
  const before = runKernels(j);
  const now = kernelsInUse();
  if (before === undefined || before === now) return undefined;
  if (!allow) {
    const how = command === 'resume' ? 'pass --allow-kernel-change to continue anyway (run.json records the change)' : `continue it with descent resume --allow-kernel-change ${dir} (run.json records the change)`;
    throw new CliError(`descent ${command}: the run in ${dir} computed with the kernels "${before}" (run.json field versions.kernels), but this process has "${now}"; the results would differ in the last bits, so the run would not be continued exactly. Resume where those kernels are (e.g. without DESCENT_NATIVE=0), or ${how}.`);
  }
  return now;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** A running sha256 over the first `bytes` bytes of `file` (read in chunks). */
function hashPrefix(file: string, bytes: number): Hash {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < bytes; ) {
      const got = fs.readSync(fd, chunk, 0, Math.min(chunk.length, bytes - at), at);
      if (got === 0) break;
      hash.update(chunk.subarray(0, got));
      at += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash;
}

/**
 * Where the run in `dir` continues: its checkpoint (null: from step 0, only when the run never
 * wrote one) and its log cut to the checkpoint's length (the records after it will be computed
 * again), after checking that the checkpoint and the kept log bytes are exactly this run's. `s` is
 * the run compiled again from run.json's config; the model text must be the one run.json names.
 * The caller holds the folder's lock and has checked run.json's integrity (checkIntegrity).
 */
export function resumePointOf(dir: string, j: RunJson, s: Setup, command: string, kernelChange?: string): ResumePoint {
  const identity = identityOf(s, j.integrity!.sha256);
  if (identity.sha256 !== j.model.sha256) {
    throw new CliError(`descent ${command}: the model file ${s.model.file} changed since the run started (its sha256 differs from run.json's), so the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
  const batch = s.program.freshSampling ? s.program.currentBatch().map((b) => b.length) : null;
  const found = readCheckpoint(dir, { info: s.program.paramInfo, identity, optimizer: s.spec, batch }, command);
  if (!found && j.checkpointed !== undefined) {
    throw new CliError(`descent ${command}: ${path.join(dir, 'checkpoint.json')} is missing, but run.json (field checkpointed) says the run wrote one at step ${j.checkpointed}; restarting would throw away the log. Restore the file, or start a new run.`);
  }
  const logFile = path.join(dir, 'log.jsonl');
  const pos = found?.log ?? { bytes: 0, records: 0, sha256: EMPTY_SHA256 };
  let size = 0;
  try {
    const st = fs.lstatSync(logFile);
    if (!st.isFile()) throw new CliError(`descent ${command}: ${logFile} is not a regular file; the run cannot be continued.`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (pos.bytes > 0) throw new CliError(`descent ${command}: ${logFile} is missing, but the checkpoint refers to its first ${pos.bytes} bytes; the run cannot be continued.`);
  }
  if (size < pos.bytes) {
    throw new CliError(`descent ${command}: ${logFile} has ${size} bytes, fewer than the ${pos.bytes} the checkpoint at step ${found!.checkpoint.step} refers to; it was changed, and the run cannot be continued.`);
  }
  // the records after the checkpoint will be computed again: drop them
  if (size === 0) fs.writeFileSync(logFile, '');
  else fs.truncateSync(logFile, pos.bytes);
  // the records kept must be the very bytes the checkpoint saw
  const hash = hashPrefix(logFile, pos.bytes);
  if (hash.copy().digest('hex') !== pos.sha256) {
    throw new CliError(`descent ${command}: ${logFile} does not match its checkpoint (the sha256 of its first ${pos.bytes} bytes differs from the checkpoint's field log.sha256: the log was edited); the run cannot be continued.`);
  }
  let records: LogRecord[];
  try {
    const r = readJsonl<LogRecord>(logFile);
    if (r.tornTail || r.records.length !== pos.records) throw new Error(`it holds ${r.records.length} whole records where the checkpoint says ${pos.records}`);
    records = r.records;
  } catch (e) {
    throw new CliError(`descent ${command}: ${logFile} does not match its checkpoint (${(e as Error).message.replace(`${logFile}: `, '')}); the run cannot be continued.`);
  }
  return { runJson: j, checkpoint: found?.checkpoint ?? null, log: { ...pos, hash }, records, ...(kernelChange ? { kernelChange } : {}) };
}
