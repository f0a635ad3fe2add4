// `descent resume RUN_DIR`: recompile from run.json's config, restore the checkpoint, cut the log to it, go on.
import * as path from 'node:path';
import { CliError } from '../errors.js';
import { executeRun, type RunOutcome } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { resolveModel, STDIN_MODEL } from '../model.js';
import { recordedModel } from '../run-model.js';
import { Progress } from '../progress.js';
import { readRunJson, resumePointOf, stillRunning } from '../resume-point.js';
import { setup, type RunConfig } from '../setup.js';
import { StopRequest } from '../signals.js';
import { summaryText } from '../summary.js';
import { jsonReplacer, runEnding, runJsonOutput } from './run.js';

export async function resumeCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  const dir = a.positionals[0]!;
  const j = readRunJson(dir, 'resume');
  if (j.status === 'completed') {
    throw new CliError(`descent resume: the run in ${dir} already completed; nothing to resume. Its results are in ${path.join(dir, 'run.json')}.`);
  }
  if (j.status === 'diverged') {
    const d = j.summary?.divergence;
    throw new CliError(`descent resume: the run in ${dir} diverged${d ? ` at step ${d.step}` : ''}; continuing would diverge again. Its last finite parameters are in ${path.join(dir, 'run.json')}; start a new run (e.g. with a smaller --lr).`);
  }
  const pid = stillRunning(j);
  if (pid !== null && !flags.force) {
    throw new CliError(`descent resume: the run in ${dir} is still running (process ${pid} on this machine); stop it first, or pass --force if that process is not descent.`);
  }
  const config = j.config as RunConfig;
  // a model read from standard input is resumed from the text run.json holds
  const model = config.file === STDIN_MODEL.file ? recordedModel(j.model, path.join(dir, 'run.json'), 'resume') : resolveModel(config.file, 'resume');
  const s = setup(config, 'resume', model);
  const point = resumePointOf(dir, j, s, 'resume');
  const every = flags.checkpointEvery ?? j.checkpointEvery;
  const from = point.checkpoint?.step ?? 0;
  const progress = new Progress({ total: s.steps, quiet: flags.quiet, label: s.model.name, ...(io.progress ? { stream: io.progress } : {}) });
  const stop = new StopRequest(() => progress.message(`stopping at the next step (press Ctrl-C again to quit at once)…`)).install();
  if (!flags.quiet && !flags.json) {
    progress.message(`${s.model.name}: resuming ${dir} at step ${from} of ${s.steps}${point.checkpoint ? '' : ' (no checkpoint: from the start)'}`);
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({
      setup: s,
      outDir: dir,
      progress,
      shouldStop: stop.requested,
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
