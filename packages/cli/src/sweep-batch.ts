// Seeds of one sweep setting run as one batched program: one compilation, the seeds stepped together, each into its own run folder.
import { BatchedProgram, compileSeeds, compileSource, defaultMemoryBudget, NotBatchableError, type Program } from '@descent/dsl';
import * as path from 'node:path';
import { BatchTrainer, ELEMENTWISE_OPTIMIZERS } from './batch-train.js';
import { executeRun, prepareOutDir } from './execute.js';
import type { RunLock } from './lock.js';
import { Progress } from './progress.js';
import { setup, type Setup } from './setup.js';
import type { PlannedRun } from './sweep-plan.js';
import { entryConfig, type EntryResult, type SweepJob } from './sweep-run.js';

/**
 * The sweep's entries as units of work: each run of consecutive entries that differ only in the
 * seed (same settings, same optimizer) is one unit, to run batched; every other entry is a unit
 * of its own. With `jobs` workers a unit of S seeds is cut into up to `jobs` units of about S /
 * jobs seeds, so that every worker has a share.
 */
export function batchUnits(runs: readonly PlannedRun[], jobs = 1): PlannedRun[][] {
  const groups: PlannedRun[][] = [];
  for (const r of runs) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (last && head && r.seed !== null && head.seed !== null && r.group === head.group && r.optimizer === head.optimizer) last.push(r);
    else groups.push([r]);
  }
  return groups.flatMap((g) => {
    const parts = Math.max(1, Math.min(jobs, Math.floor(g.length / 2)));
    if (parts === 1) return [g];
    const out: PlannedRun[][] = [];
    for (let p = 0; p < parts; p++) out.push(g.slice(Math.floor((p * g.length) / parts), Math.floor(((p + 1) * g.length) / parts)));
    return out;
  });
}

/** Why the entries of this setup cannot run batched (null: they can): what the batched loop does not do. */
export function setupObstacle(s: Setup, job: SweepJob): string | null {
  if (!ELEMENTWISE_OPTIMIZERS.has(s.spec.kind)) return `the optimizer ${s.spec.kind} is not elementwise`;
  if (s.program.freshSampling) return 'it draws fresh samples every step';
  if (s.program.paramInfo.some((p) => p.updated)) return 'it has update rules';
  if (job.checkpointEvery !== undefined && job.checkpointEvery <= 0) return 'bad --checkpoint-every';
  return null;
}

/** The entries' programs, one per seed, compiled from one parse, or a reason they cannot be batched. */
function seedPrograms(job: SweepJob, entries: readonly PlannedRun[]): { setups: Setup[]; programs: Program[]; batched: BatchedProgram } | string {
  let programs: Program[] | undefined;
  // setup's checks and resolved settings for the first seed, its compile making every seed's program
  const first = setup(entryConfig(job.base, entries[0]!), 'sweep', undefined, (source, options = {}) => {
    programs = compileSeeds(source, options, entries.map((e) => e.seed!));
    // a source that does not compile: compileSource says why
    return programs === undefined ? compileSource(source, options) : { ok: true, program: programs[0]! };
  });
  if (programs === undefined) return 'a seed does not compile';
  const obstacle = setupObstacle(first, job);
  if (obstacle !== null) return obstacle;
  let batched: BatchedProgram;
  try {
    batched = new BatchedProgram(programs, first.config.maxMemory ?? defaultMemoryBudget());
  } catch (e) {
    if (e instanceof NotBatchableError) return e.message;
    throw e;
  }
  const setups = programs.map((program, k): Setup => ({ ...first, config: entryConfig(job.base, entries[k]!), program, seed: program.seed }));
  return { setups, programs, batched };
}

/** The outcome of a batch: the entries' results and failures, and the entries left to run one by one. */
export interface BatchOutcome {
  readonly results: readonly EntryResult[];
  readonly failures: readonly { readonly entry: PlannedRun; readonly error: unknown }[];
  /** Entries the batch could not take (see setupObstacle and NotBatchableError): run them alone. */
  readonly alone: readonly PlannedRun[];
  /** Why they could not be batched. */
  readonly why?: string;
}

/**
 * Runs `entries` (seeds of one setting) as one batched program, each into its folder
 * `job.dir/entry.dir` through executeRun as a lone entry is (run.json, log, plot, claims), with
 * results per seed equal to its own run's (see docs/cli.md, "sweep and collect"). When they
 * cannot be batched, nothing is written and they all come back in `alone`.
 */
export async function runBatch(job: SweepJob, entries: readonly PlannedRun[], shouldStop: () => boolean): Promise<BatchOutcome> {
  const made = seedPrograms(job, entries);
  if (typeof made === 'string') return { results: [], failures: [], alone: entries, why: made };
  const { setups, programs, batched } = made;
  const trainer = new BatchTrainer(batched, programs, setups[0]!.spec);
  const locks: RunLock[] = [];
  const failures: { entry: PlannedRun; error: unknown }[] = [];
  const pending: Promise<EntryResult | null>[] = [];
  // each seed's run listens for the process's exit (to mark its run.json if killed), all at once
  const listeners = process.getMaxListeners();
  process.setMaxListeners(listeners + entries.length);
  try {
    entries.forEach((entry, k) => {
      const s = setups[k]!;
      const outDir = path.join(job.dir, entry.dir);
      let lock: RunLock;
      try {
        lock = prepareOutDir(outDir, job.force, 'sweep');
      } catch (error) {
        failures.push({ entry, error });
        return;
      }
      locks.push(lock);
      // executeRun writes run.json and hands its options to the trainer before its first await
      pending.push(executeRun({
        command: 'sweep',
        setup: s,
        outDir,
        progress: new Progress({ total: s.steps, quiet: true }),
        shouldStop,
        argv: job.argv,
        ...(job.checkpointEvery ? { checkpointEvery: job.checkpointEvery } : {}),
        sweep: { index: entry.index, id: entry.id, group: entry.group, dir: entry.dir, settings: entry.settings, seed: entry.seed, batch: entries.length },
        trainer: trainer.trainerFor(k),
      }).then(
        (o) => ({ index: entry.index, id: entry.id, outDir, summary: o.summary }),
        (error: unknown) => {
          failures.push({ entry, error });
          return null;
        },
      ));
    });
    await trainer.run();
    const results = (await Promise.all(pending)).filter((r): r is EntryResult => r !== null);
    return { results, failures, alone: [] };
  } finally {
    for (const l of locks) l.release();
    process.setMaxListeners(listeners);
  }
}
