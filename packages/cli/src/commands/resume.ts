// `descent resume RUN_DIR`: lock the folder, check run.json and the checkpoint, cut the log to it, go on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../errors.js';
import { executeRun, removeStaleTemps, type RunOutcome } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { acquireLock } from '../lock.js';
import { resolveModel, STDIN_MODEL } from '../model.js';
import { recordedModel } from '../run-model.js';
import { Progress } from '../progress.js';
import { checkIntegrity, kernelChangeOf, readRunJson, resumePointOf } from '../resume-point.js';
import { setup, type RunConfig } from '../setup.js';
import { StopRequest } from '../signals.js';
import { summaryText } from '../summary.js';
import { jsonReplacer, runEnding, runJsonOutput } from './run.js';

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
  checkIntegrity(j, path.join(dir, 'run.json'), 'resume');
  if (j.status === 'completed') {
    throw new CliError(`descent resume: the run in ${dir} already completed; nothing to resume. Its results are in ${path.join(dir, 'run.json')}.`);
  }
  if (j.status === 'diverged') {
    const d = j.summary?.divergence;
    throw new CliError(`descent resume: the run in ${dir} diverged${d ? ` at step ${d.step}` : ''}; continuing would diverge again. Its last finite parameters are in ${path.join(dir, 'run.json')}; start a new run (e.g. with a smaller --lr).`);
  }
  const kernelChange = kernelChangeOf(dir, j, flags.allowKernelChange ?? false, 'resume');
  const config = j.config as RunConfig;
  // a model read from standard input is resumed from the text run.json holds
  const model = config.file === STDIN_MODEL.file ? recordedModel(j.model, path.join(dir, 'run.json'), 'resume') : resolveModel(config.file, 'resume');
  const s = setup(config, 'resume', model);
  const point = resumePointOf(dir, j, s, 'resume', kernelChange);
  const every = flags.checkpointEvery ?? j.checkpointEvery;
  const from = point.checkpoint?.step ?? 0;
  const progress = new Progress({ total: s.steps, quiet: flags.quiet, label: s.model.name, ...(io.progress ? { stream: io.progress } : {}) });
  const stop = new StopRequest(() => progress.message(`stopping at the next step (press Ctrl-C again to quit at once)…`)).install();
  if (!flags.quiet && !flags.json) {
    progress.message(`${s.model.name}: resuming ${dir} at step ${from} of ${s.steps}${point.checkpoint ? '' : ' (no checkpoint: from the start)'}${kernelChange ? ` with other kernels (${kernelChange})` : ''}`);
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
      resume: point,
    });
  } finally {
    stop.dispose();
  }
  if (flags.json) io.stdout(`${JSON.stringify(runJsonOutput(s, outcome), jsonReplacer, 2)}\n`);
  else if (!flags.quiet) io.stdout(summaryText(s.model.name, outcome.summary, outcome.records, dir));
  return runEnding('resume', s, outcome, stop, io);
}
