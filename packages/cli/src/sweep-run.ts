// One entry of a sweep, the same in the main thread, in a worker thread, and under `--index`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sameJson } from './checkpoint.js';
import { CliError } from './errors.js';
import { clearOutDir, executeRun, identityOf, lockOutDir, prepareOutDir, removeStaleTemps, type ExecuteOptions, type ResumePoint, type RunJson } from './execute.js';
import { Progress } from './progress.js';
import { holderText, liveHolder } from './lock.js';
import { checkIntegrity, kernelChangeOf, readRunJson, resumePointOf } from './resume-point.js';
import type { RunConfig, Setup } from './setup.js';
import { setup } from './setup.js';
import type { PlannedRun } from './sweep-plan.js';
import type { RunSummary } from './summary.js';

/** What a sweep needs to run any of its entries: plain JSON, sent to workers as is. */
export interface SweepJob {
  /** The run config without the swept settings. */
  readonly base: RunConfig;
  readonly dir: string;
  readonly force: boolean;
  readonly argv: readonly string[];
  /** --checkpoint-every: each entry folder gets its own checkpoint.json (resume it alone). */
  readonly checkpointEvery?: number;
}

export interface EntryResult {
  readonly index: number;
  readonly id: string;
  readonly outDir: string;
  readonly summary: RunSummary;
}

/** The config of one entry: the base with its settings as --set values and its seed. */
export function entryConfig(base: RunConfig, entry: PlannedRun): RunConfig {
  const overrides = { ...base.overrides };
  for (const s of entry.settings) overrides[s.name] = s.value;
  return {
    ...base, overrides, ...(entry.seed !== null ? { seed: entry.seed } : {}),
    ...(entry.optimizer !== undefined ? { optimizer: entry.optimizer as NonNullable<RunConfig['optimizer']> } : {}),
  };
}

/** Trains `s` into `outDir` (from the start, or from `resume`), without progress output; the caller holds the folder's lock. */
async function train(job: SweepJob, entry: PlannedRun, s: Setup, outDir: string, shouldStop: () => boolean, resume?: ResumePoint, every?: number): Promise<EntryResult> {
  const o = await executeRun({
    ...entryRunOptions(job, entry, s, outDir, shouldStop, job.checkpointEvery ?? every),
    ...(resume ? { resume } : {}),
  });
  return { index: entry.index, id: entry.id, outDir, summary: o.summary };
}

/**
 * What executeRun needs to run one sweep entry quietly into `outDir`; run.json's "sweep" record
 * names the entry (and, for a batched sweep, how many seeds shared its program: `batch`).
 */
export function entryRunOptions(job: SweepJob, entry: PlannedRun, s: Setup, outDir: string, shouldStop: () => boolean, checkpointEvery: number | undefined, batch?: number): ExecuteOptions {
  return {
    command: 'sweep',
    setup: s,
    outDir,
    progress: new Progress({ total: s.steps, quiet: true }),
    shouldStop,
    argv: job.argv,
    ...(checkpointEvery ? { checkpointEvery } : {}),
    sweep: { index: entry.index, id: entry.id, group: entry.group, dir: entry.dir, settings: entry.settings, seed: entry.seed, ...(batch === undefined ? {} : { batch }) },
  };
}

/** Compiles and trains one entry into its folder `dir/entry.dir`, without progress output. */
export async function runEntry(job: SweepJob, entry: PlannedRun, shouldStop: () => boolean): Promise<EntryResult> {
  const s = setup(entryConfig(job.base, entry), 'sweep');
  const outDir = path.join(job.dir, entry.dir);
  const lock = prepareOutDir(outDir, job.force, 'sweep');
  try {
    return await train(job, entry, s, outDir, shouldStop);
  } finally {
    lock.release();
  }
}

/** How an `--index` task found its entry: new, to be continued from a step, or already finished. */
export type EntryStart = { readonly how: 'start' } | { readonly how: 'resume'; readonly step: number } | { readonly how: 'finished'; readonly status: string };

/** Refuses an entry folder holding a run of other settings (another sweep written to the same --out). */
function checkSameRun(outDir: string, j: RunJson, s: Setup): void {
  const id = identityOf(s, '');
  const same = id.sha256 === j.model.sha256 && sameJson(
    { seed: id.seed, steps: id.steps, log: id.log, optimizer: id.optimizer, constants: s.program.constants },
    { seed: j.settings.seed, steps: j.settings.steps, log: j.settings.log, optimizer: j.settings.optimizer, constants: j.settings.constants },
  );
  if (!same) {
    throw new CliError(`descent sweep: ${outDir} holds a run of another model text or other settings than this sweep's entry; pass --force to replace it, or choose another --out.`);
  }
}

/**
 * Runs entry `entry` as an array task does, so that running it again is safe: a finished run
 * (completed or diverged) is left as it is, an interrupted one (a requeued or re-submitted task)
 * continues from its checkpoint, bit for bit as if never stopped, and only a folder without a run
 * starts from the beginning. The entry folder's lock is held throughout (one writer per folder: a
 * second task of the same entry is refused while the first runs; the lock of a killed task is
 * stale and taken over), and resuming makes every check `descent resume` makes (run.json's
 * checksums, the checkpoint's, the log's bytes, the kernels). `onStart` hears which, before any training.
 */
export async function runOrContinueEntry(job: SweepJob, entry: PlannedRun, shouldStop: () => boolean, onStart: (start: EntryStart, s: Setup) => void): Promise<EntryResult> {
  const s = setup(entryConfig(job.base, entry), 'sweep');
  const outDir = path.join(job.dir, entry.dir);
  const lock = lockOutDir(outDir, 'sweep');
  try {
    if (job.force || !fs.existsSync(path.join(outDir, 'run.json'))) {
      // nothing to continue (or --force): whatever a task stopped before run.json left is replaced
      clearOutDir(outDir, true, 'sweep');
      onStart({ how: 'start' }, s);
      return await train(job, entry, s, outDir, shouldStop);
    }
    removeStaleTemps(outDir);
    const j = readRunJson(outDir, 'sweep');
    checkIntegrity(j, path.join(outDir, 'run.json'), 'sweep');
    checkSameRun(outDir, j, s);
    if ((j.status === 'completed' || j.status === 'diverged') && j.summary) {
      onStart({ how: 'finished', status: j.status }, s);
      return { index: entry.index, id: entry.id, outDir, summary: j.summary };
    }
    const point = resumePointOf(outDir, j, s, 'sweep', kernelChangeOf(outDir, j, false, 'sweep'));
    onStart({ how: 'resume', step: point.checkpoint?.step ?? 0 }, s);
    return await train(job, entry, s, outDir, shouldStop, point, j.checkpointEvery);
  } finally {
    lock.release();
  }
}

/**
 * --force over a sweep folder: removes every entry's folder, refusing first (exit 2, naming the
 * holder) if a live process still writes one (a task of an earlier submission, say).
 */
export function removeEntries(dir: string, runs: readonly PlannedRun[]): void {
  for (const r of runs) {
    const holder = liveHolder(path.join(dir, r.dir));
    if (holder) {
      throw new CliError(`descent sweep: --force cannot replace ${path.join(dir, r.dir)}: it is being written by ${holderText(holder)}; one process at a time may write a run folder. Wait for it to end (or cancel its job), and try again.`);
    }
  }
  for (const r of runs) fs.rmSync(path.join(dir, r.dir), { recursive: true, force: true });
}
