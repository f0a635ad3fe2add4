// `descent sweep MODEL --set n=1,2,5 --seeds 1-8 [--jobs N | --plan | --index I | --emit slurm | --submit slurm]`.
import * as fs from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from '../errors.js';
import { defaultOutDir, prepareOutDir } from '../execute.js';
import { fmt, fmtDuration } from '../format.js';
import type { CommandArgs, Io } from '../io.js';
import { configFromFlags, setup, type RunConfig } from '../setup.js';
import { StopRequest, type StopSignalName } from '../signals.js';
import { requeueThisTask, slurmTask } from '../slurm.js';
import { slurmScript } from '../slurm-script.js';
import { writeManifest, type SweepManifest } from '../sweep-collect.js';
import { planSweep, planText, selectRun, type PlannedRun } from '../sweep-plan.js';
import { batchUnits, checkForBatch, programObstacle } from '../sweep-batch.js';
import { entryConfig, removeEntries, runOrContinueEntry, type EntryResult, type EntryStart, type SweepJob } from '../sweep-run.js';
import { SweepPool, type EntryFailure } from '../sweep-pool.js';
import { submitSweep } from '../sweep-submit.js';
import { divergenceText } from '../summary.js';
import { finishCollect } from './collect.js';

/** The one-line report of a finished entry. */
function entryLine(r: EntryResult, done: number, total: number): string {
  const s = r.summary;
  const what = s.status === 'diverged' && s.divergence ? divergenceText(s.divergence) : `${s.status}, final loss ${fmt(s.finalLoss)}, slope ${s.slope ? fmt(s.slope.value) : 'n/a'}`;
  const claims = s.claims.length === 0 ? '' : s.claims.every((c) => c.notChecked) ? ', claims not checked' : `, claims ${s.claimsPassed}/${s.claims.length}`;
  return `[${done}/${total}] ${r.id}: ${what}${claims} (${fmtDuration(s.wallSeconds)})`;
}

export async function sweepCommand(a: CommandArgs, io: Io): Promise<number> {
  const { flags } = a;
  if (a.positionals[0] === '-') {
    throw new CliError('descent sweep: a sweep reads its model in every run (and every cluster job), so it cannot read it from standard input; save it to a file and give that.');
  }
  const base: RunConfig = configFromFlags(a.positionals[0]!, { ...flags, set: [] }, 'sweep');
  const optimizers = flags.optimizers ?? null;
  const runs = planSweep(flags.set, flags.seeds ?? null, optimizers);
  if (flags.plan) {
    io.stdout(`${planText(runs, flags.set, flags.seeds ?? null, flags.out, optimizers)}\n`);
    return EXIT.ok;
  }
  const dir = flags.out ?? defaultOutDir(`${base.name}-sweep`);
  const job: SweepJob = { base, dir, force: flags.force, argv: a.argv, ...(flags.checkpointEvery ? { checkpointEvery: flags.checkpointEvery } : {}) };
  const stop = new StopRequest((sig) => io.stderr(`descent sweep: ${sig}${sig === 'SIGUSR1' ? ' (Slurm: time limit near, or preemption)' : ''}: finishing the runs in progress as interrupted; press again to quit at once.\n`));
  const batch = flags.noBatch !== true;
  const jobs = Math.max(1, Math.min(flags.jobs ?? availableParallelism(), runs.length));
  // a sweep run here: its worker threads start now, loading their modules while this thread checks
  // the settings (as many as it will have units if every setting can be batched: at most that many)
  const local = flags.index === undefined && flags.emit === undefined && flags.submit === undefined;
  const pool = local ? new SweepPool(job, stop, Math.min(jobs, batch ? batchUnits(runs, jobs).length : runs.length)) : undefined;
  try {
    return await sweepChecked();
  } finally {
    await pool?.close();
  }

  async function sweepChecked(): Promise<number> {
    // every distinct setting is compiled once up front: a bad value fails now, not in run 37 (an
    // --index task compiles its own entry only)
    const checked = new Set<string>();
    // settings whose seeds cannot run batched: their entries go to the workers one at a time
    const unbatchable = new Set<string>();
    for (const r of flags.index === undefined ? runs : []) {
      if (checked.has(r.group)) continue;
      checked.add(r.group);
      const s = setup(entryConfig(base, r), 'sweep', undefined, flags.noBatch === true ? undefined : checkForBatch);
      if (flags.noBatch !== true && programObstacle(s) !== null) unbatchable.add(r.group);
    }
    const manifest: SweepManifest = {
      format: 'descent-sweep/1', model: { name: base.name, file: base.file }, base, settings: flags.set, seeds: flags.seeds ?? null, runs,
      ...(optimizers ? { optimizers } : {}),
    };
    if (flags.emit === 'slurm' || flags.submit === 'slurm') {
      const script = slurmScript({
        argv: a.argv, count: runs.length, model: base.file, out: path.resolve(dir), cwd: process.cwd(), node: process.execPath,
        cli: fileURLToPath(new URL('../main.js', import.meta.url)), ...(flags.jobs ? { parallel: flags.jobs } : {}),
      });
      if (flags.emit) {
        io.stdout(script);
        return EXIT.ok;
      }
      return submitSweep({ dir, manifest, script, sbatchArgs: flags.sbatchArgs ?? '', force: flags.force, json: flags.json }, io);
    }
    // an array task also stops on the SIGUSR1 Slurm sends before the time limit (--signal=B:USR1@60)
    stop.install(flags.index !== undefined ? ['SIGINT', 'SIGTERM', 'SIGUSR1'] : undefined);
    try {
      if (flags.index !== undefined) {
        const entry = selectRun(runs, flags.index);
        ensureDir(dir);
        writeManifest(dir, manifest);
        const talk = !flags.quiet && !flags.json;
        const r = await runOrContinueEntry(job, entry, stop.requested, (start, s) => {
          if (talk) io.stderr(`${taskStartLine(entry, start, s.steps)}\n`);
        });
        if (flags.json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
        else if (!flags.quiet) io.stderr(`${entryLine(r, 1, 1)} → ${r.outDir}\n`);
        if (stop.signal) {
          if (r.summary.status === 'interrupted') io.stderr(`${stoppedTaskLine(dir, entry, r, stop.signal)}\n`);
          return stop.exitCode()!;
        }
        return r.summary.status === 'diverged' ? EXIT.diverged : EXIT.ok;
      }
      const lock = prepareOutDir(dir, flags.force, 'sweep');
      try {
        return await sweepLocked();
      } finally {
        lock.release();
      }
    } finally {
      stop.dispose();
    }

    async function sweepLocked(): Promise<number> {
      if (flags.force) removeEntries(dir, runs);
      writeManifest(dir, manifest);
      if (!flags.quiet && !flags.json) io.stderr(`${base.name}: ${runs.length} run${runs.length === 1 ? '' : 's'} on ${jobs} thread${jobs === 1 ? '' : 's'} → ${dir}\n`);
      let done = 0;
      const report = (r: EntryResult): void => {
        done++;
        if (!flags.quiet && !flags.json) io.stderr(`${entryLine(r, done, runs.length)}\n`);
      };
      const failures: EntryFailure[] = [];
      const failed = (f: EntryFailure): void => {
        done++;
        failures.push(f);
        io.stderr(`[${done}/${runs.length}] ${f.entry.id}: failed: ${f.error instanceof CliError ? f.error.message : `internal error: ${f.error.message}`}\n`);
      };
      // seeds of one setting run as one batched program, cut into a share per thread (--no-batch: one program per entry)
      const units = batch ? batchUnits(runs, jobs, unbatchable) : runs.map((r) => [r]);
      await pool!.run(runs, units, batch, report, failed);
      const code = finishCollect(dir, 'sweep', flags, io);
      if (stop.signal) return stop.exitCode()!;
      // a bug in an entry is exit 70; an entry that failed on its input or the disk, exit 2
      if (failures.some((f) => !(f.error instanceof CliError))) return EXIT.internal;
      return failures.length > 0 ? EXIT.usage : code;
    }
  }
}

/** Where a task runs: its Slurm job and node, when it is one. */
function whereText(): string {
  const job = slurmTask();
  if (!job) return '';
  const restarts = Number(process.env['SLURM_RESTART_COUNT'] ?? 0);
  return ` (Slurm job ${job} on ${hostname()}${restarts > 0 ? `, restart ${restarts}` : ''})`;
}

/** The first line an --index task prints: started, resumed from which step, or already finished. */
function taskStartLine(entry: PlannedRun, start: EntryStart, steps: number): string {
  const head = `descent sweep: entry ${entry.index} (${entry.id})`;
  // process.uptime(): Node's start-up and the compile, before the first step
  const ready = `; ready ${process.uptime().toFixed(2)} s after Node started`;
  switch (start.how) {
    case 'start':
      return `${head}: starting at step 0 of ${steps}${whereText()}${ready}`;
    case 'resume':
      return start.step > 0
        ? `${head}: resuming from its checkpoint at step ${start.step} of ${steps}${whereText()}${ready}`
        : `${head}: starting again at step 0 of ${steps}: it was stopped before its first checkpoint${whereText()}${ready}`;
    case 'finished':
      return `${head}: already ${start.status}; nothing to do${whereText()}`;
  }
}

/** After a stop signal: the checkpoint, and under Slurm's SIGUSR1 the task requeued to continue from it. */
function stoppedTaskLine(dir: string, entry: PlannedRun, r: EntryResult, signal: StopSignalName): string {
  const head = `descent sweep: entry ${entry.index} (${entry.id}) stopped by ${signal} at step ${r.summary.step} of ${r.summary.steps}, checkpointed in ${r.outDir}`;
  if (signal !== 'SIGUSR1') return `${head}; running the same task again resumes it from there.`;
  const q = requeueThisTask();
  if ('job' in q) return `${head}; requeued Slurm job ${q.job}, which resumes from there.`;
  if (!slurmTask()) return `${head}; running the same task again resumes it from there.`;
  return `${head}; could not requeue the task (${q.error}): submit the sweep again (sbatch ${path.resolve(dir, 'sweep.sbatch')}) to resume it.`;
}

function ensureDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`descent sweep: cannot write to --out ${dir}: ${(e as Error).message}.`);
  }
}
