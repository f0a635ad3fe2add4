// `descent run MODEL`: compile, train with progress, write the run folder, print the summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../errors.js';
import { defaultOutDir, executeRun, prepareOutDir, type RunOutcome } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { Progress } from '../progress.js';
import { recordedModel } from '../run-model.js';
import { configFromFlags, optimizerText, rerunConfig, setup, type Setup } from '../setup.js';
import { StopRequest } from '../signals.js';
import { divergenceText, summaryText } from '../summary.js';
import { readRunJson } from '../resume-point.js';

/** The --json form of a run's result: where it is, what ran, and its summary. */
export function runJsonOutput(s: Setup, o: RunOutcome): Record<string, unknown> {
  return { model: s.model.name, outDir: o.outDir, seed: s.seed, optimizer: s.optimizer, ...o.summary };
}

/** Exit code and stderr note for how a run ended (the summary itself is printed elsewhere). */
export function runEnding(command: string, s: Setup, o: RunOutcome, stop: StopRequest, io: Io): number {
  const log = path.join(o.outDir, 'log.jsonl');
  if (o.summary.status === 'diverged' && o.summary.divergence) {
    io.stderr(`descent ${command}: ${s.model.name} ${divergenceText(o.summary.divergence)}. The log up to there is in ${log}, and the last finite parameters in ${path.join(o.outDir, 'run.json')}. Try a smaller --lr.\n`);
    return EXIT.diverged;
  }
  if (o.summary.status === 'interrupted') {
    io.stderr(`descent ${command}: interrupted (${stop.signal ?? 'stop'}) at step ${o.summary.step} of ${o.summary.steps}; the log so far is in ${log} and run.json is marked "interrupted". Continue it with: descent resume ${o.outDir}\n`);
    return stop.exitCode() ?? EXIT.failed;
  }
  return EXIT.ok;
}

/** True when the argument of `descent run` is a run folder (one with run.json) rather than a model. */
function isRunFolder(arg: string): boolean {
  try {
    return fs.statSync(arg).isDirectory() && fs.existsSync(path.join(arg, 'run.json'));
  } catch {
    return false;
  }
}

export async function runCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  const arg = a.positionals[0]!;
  // `descent run RUN_DIR`: the recorded model text, loaded files and config, run again
  const recorded = isRunFolder(arg) ? readRunJson(arg, 'run') : null;
  const s = recorded
    ? setup(rerunConfig(recorded.config, flags, 'run'), 'run', recordedModel(recorded.model, path.join(arg, 'run.json'), 'run'))
    : setup(configFromFlags(arg, flags, 'run'), 'run');
  const outDir = flags.out ?? defaultOutDir(s.model.name);
  const lock = prepareOutDir(outDir, flags.force, 'run');
  try {
    return await runLocked(a, io, s, outDir, recorded ? path.resolve(arg) : undefined);
  } finally {
    lock.release();
  }
}

async function runLocked(a: CommandArgs, io: Io, s: Setup, outDir: string, rerunOf: string | undefined): Promise<number> {
  const { flags } = a;
  const progress = new Progress({ total: s.steps, quiet: flags.quiet, label: s.model.name, ...(io.progress ? { stream: io.progress } : {}) });
  const stop = new StopRequest(() => progress.message(`stopping at the next step (press Ctrl-C again to quit at once)…`)).install();
  if (!flags.quiet && !flags.json) {
    progress.message(`${s.model.name}: ${s.steps} steps of ${optimizerText(s.optimizer)}, seed ${s.seed}, ${s.program.parameterCount} parameters → ${outDir}`);
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({
      setup: s, outDir, progress, shouldStop: stop.requested, argv: a.argv,
      ...(rerunOf !== undefined ? { rerunOf } : {}),
      ...(flags.checkpointEvery ? { checkpointEvery: flags.checkpointEvery } : {}),
    });
  } finally {
    stop.dispose();
  }
  if (flags.json) io.stdout(`${JSON.stringify(runJsonOutput(s, outcome), jsonReplacer, 2)}\n`);
  else if (!flags.quiet) io.stdout(summaryText(s.model.name, outcome.summary, outcome.records, outDir));
  return runEnding('run', s, outcome, stop, io);
}

/** JSON.stringify replacer writing NaN and infinities as strings, as in the run files. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}
