// `descent resume RUN_DIR`: lock the folder, check run.json and the checkpoint, cut the log to it, go on.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCheckpoint } from '../checkpoint.js';
import { CliError } from '../errors.js';
import { executeRun, identityOf, kernelsInUse, removeStaleTemps, runIdentity, type RunJson, type RunOutcome } from '../execute.js';
import { brokenFields, fieldList, isSeal } from '../integrity.js';
import type { CommandArgs, Io } from '../io.js';
import { acquireLock } from '../lock.js';
import { resolveModel, STDIN_MODEL } from '../model.js';
import { recordedModel } from '../run-model.js';
import { Progress } from '../progress.js';
import { readJsonl, type LogRecord } from '../runlog.js';
import { setup, type RunConfig } from '../setup.js';
import { StopRequest } from '../signals.js';
import { summaryText } from '../summary.js';
import { readRunJson } from './run-folder.js';
import { jsonReplacer, runEnding, runJsonOutput } from './run.js';

/** Refuses a run.json whose identity (model, config, settings) is not what its checksums say. */
function checkIntegrity(j: RunJson, file: string): void {
  if (!isSeal(j.integrity)) {
    throw new CliError(`descent resume: ${file} has no valid field integrity (the checksums of its model, config and settings): it was written by an older descent or edited; the run cannot be continued exactly. Start it again.`);
  }
  const broken = brokenFields(runIdentity(j), j.integrity);
  if (broken.length > 0) {
    throw new CliError(`descent resume: ${file} fails its checksum: ${fieldList(broken)} changed since the run started; the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
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

/** The kernels the run computed with most recently: its start's, or those of its last resume that changed them. */
function runKernels(j: RunJson): string | undefined {
  const changed = [...(j.resumed ?? [])].reverse().find((r) => r.kernels !== undefined);
  return changed?.kernels ?? j.versions?.['kernels'];
}

export async function resumeCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  const dir = a.positionals[0]!;
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(dir);
  } catch {
    /* readRunJson says so */
  }
  if (!st?.isDirectory()) readRunJson(dir);
  // one writer per folder: a second resume (or a run with --force) is refused while this one runs
  const lock = acquireLock(dir, 'resume', { takeUnchecked: flags.force });
  try {
    removeStaleTemps(dir);
    return await resumeLocked(a, io, dir);
  } finally {
    lock.release();
  }
}

async function resumeLocked(a: CommandArgs, io: Io, dir: string): Promise<number> {
  const { flags } = a;
  const j = readRunJson(dir);
  checkIntegrity(j, path.join(dir, 'run.json'));
  if (j.status === 'completed') {
    throw new CliError(`descent resume: the run in ${dir} already completed; nothing to resume. Its results are in ${path.join(dir, 'run.json')}.`);
  }
  if (j.status === 'diverged') {
    const d = j.summary?.divergence;
    throw new CliError(`descent resume: the run in ${dir} diverged${d ? ` at step ${d.step}` : ''}; continuing would diverge again. Its last finite parameters are in ${path.join(dir, 'run.json')}; start a new run (e.g. with a smaller --lr).`);
  }
  // results differ between kernels in the last bits: continuing with others is not the same run
  const before = runKernels(j);
  const now = kernelsInUse();
  let kernelChange: string | undefined;
  if (before !== undefined && before !== now) {
    if (!flags.allowKernelChange) {
      throw new CliError(`descent resume: the run in ${dir} computed with the kernels "${before}" (run.json field versions.kernels), but this process has "${now}"; the results would differ in the last bits, so the run would not be continued exactly. Resume where those kernels are (e.g. without DESCENT_NATIVE=0), or pass --allow-kernel-change to continue anyway (run.json records the change).`);
    }
    kernelChange = now;
  }
  const config = j.config as RunConfig;
  // a model read from standard input is resumed from the text run.json holds
  const model = config.file === STDIN_MODEL.file ? recordedModel(j.model, path.join(dir, 'run.json'), 'resume') : resolveModel(config.file, 'resume');
  const s = setup(config, 'resume', model);
  const identity = identityOf(s, j.integrity!.sha256);
  if (identity.sha256 !== j.model.sha256) {
    throw new CliError(`descent resume: the model file ${model.file} changed since the run started (its sha256 differs from run.json's), so the run cannot be continued exactly. Restore the file, or start a new run.`);
  }
  const batch = s.program.freshSampling ? s.program.currentBatch().map((b) => b.length) : null;
  const found = readCheckpoint(dir, { info: s.program.paramInfo, identity, optimizer: s.spec, batch });
  if (!found && j.checkpointed !== undefined) {
    throw new CliError(`descent resume: ${path.join(dir, 'checkpoint.json')} is missing, but run.json (field checkpointed) says the run wrote one at step ${j.checkpointed}; restarting would throw away the log. Restore the file, or start a new run.`);
  }
  const logFile = path.join(dir, 'log.jsonl');
  const pos = found?.log ?? { bytes: 0, records: 0, sha256: EMPTY_SHA256 };
  let size = 0;
  try {
    const st = fs.lstatSync(logFile);
    if (!st.isFile()) throw new CliError(`descent resume: ${logFile} is not a regular file; the run cannot be continued.`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (pos.bytes > 0) throw new CliError(`descent resume: ${logFile} is missing, but the checkpoint refers to its first ${pos.bytes} bytes; the run cannot be continued.`);
  }
  if (size < pos.bytes) {
    throw new CliError(`descent resume: ${logFile} has ${size} bytes, fewer than the ${pos.bytes} the checkpoint at step ${found!.checkpoint.step} refers to; it was changed, and the run cannot be continued.`);
  }
  // the records after the checkpoint will be computed again: drop them
  if (size === 0) fs.writeFileSync(logFile, '');
  else fs.truncateSync(logFile, pos.bytes);
  // the records kept must be the very bytes the checkpoint saw
  const hash = hashPrefix(logFile, pos.bytes);
  if (hash.copy().digest('hex') !== pos.sha256) {
    throw new CliError(`descent resume: ${logFile} does not match its checkpoint (the sha256 of its first ${pos.bytes} bytes differs from the checkpoint's field log.sha256: the log was edited); the run cannot be continued.`);
  }
  let records: LogRecord[];
  try {
    const r = readJsonl<LogRecord>(logFile);
    if (r.tornTail || r.records.length !== pos.records) throw new Error(`it holds ${r.records.length} whole records where the checkpoint says ${pos.records}`);
    records = r.records;
  } catch (e) {
    throw new CliError(`descent resume: ${logFile} does not match its checkpoint (${(e as Error).message.replace(`${logFile}: `, '')}); the run cannot be continued.`);
  }
  const every = flags.checkpointEvery ?? j.checkpointEvery;
  const from = found?.checkpoint.step ?? 0;
  const progress = new Progress({ total: s.steps, quiet: flags.quiet, label: s.model.name, ...(io.progress ? { stream: io.progress } : {}) });
  const stop = new StopRequest(() => progress.message(`stopping at the next step (press Ctrl-C again to quit at once)…`)).install();
  if (!flags.quiet && !flags.json) {
    progress.message(`${s.model.name}: resuming ${dir} at step ${from} of ${s.steps}${found ? '' : ' (no checkpoint: from the start)'}${kernelChange ? ` with other kernels (${kernelChange})` : ''}`);
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({
      setup: s,
      outDir: dir,
      progress,
      shouldStop: stop.requested,
      command: 'resume',
      ...(every ? { checkpointEvery: every } : {}),
      resume: { runJson: j, checkpoint: found?.checkpoint ?? null, log: { ...pos, hash }, records, ...(kernelChange ? { kernelChange } : {}) },
    });
  } finally {
    stop.dispose();
  }
  if (flags.json) io.stdout(`${JSON.stringify(runJsonOutput(s, outcome), jsonReplacer, 2)}\n`);
  else if (!flags.quiet) io.stdout(summaryText(s.model.name, outcome.summary, outcome.records, dir));
  return runEnding('resume', s, outcome, stop, io);
}
