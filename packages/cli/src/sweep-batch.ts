// Seeds of one sweep setting run as one batched program: one compilation, the seeds stepped together, each into its own run folder.
import { BatchedProgram, compileSource, seedCompiler, defaultMemoryBudget, MAX_LOAD_BYTES, NotBatchableError, type Program } from '@descent/dsl';
import * as path from 'node:path';
import { BatchTrainer, ELEMENTWISE_OPTIMIZERS } from './batch-train.js';
import { executeRun, prepareOutDir } from './execute.js';
import type { RunLock } from './lock.js';
import { DeferredDirSyncs } from './runlog.js';
import { setup, type Setup } from './setup.js';
import type { PlannedRun } from './sweep-plan.js';
import { entryConfig, entryRunOptions, type EntryResult, type SweepJob } from './sweep-run.js';

/**
 * The sweep's entries as units of work: each run of consecutive entries that differ only in the
 * seed (same settings, same optimizer) is one unit, to run batched; every other entry is a unit
 * of its own. With `jobs` workers a unit of S seeds is cut into up to `jobs` units of about S /
 * jobs seeds, so that every worker has a share. The entries of a group in `unbatchable` (see
 * programObstacle) are units of their own, handed to whichever worker is free.
 */
export function batchUnits(runs: readonly PlannedRun[], jobs = 1, unbatchable: ReadonlySet<string> = new Set()): PlannedRun[][] {
  const groups: PlannedRun[][] = [];
  for (const r of runs) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (last && head && !unbatchable.has(r.group) && r.seed !== null && head.seed !== null && r.group === head.group && r.optimizer === head.optimizer) last.push(r);
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
export function setupObstacle(s: Setup): string | null {
  if (!ELEMENTWISE_OPTIMIZERS.has(s.spec.kind)) return `the optimizer ${s.spec.kind} is not elementwise`;
  if (s.program.freshSampling) return 'it draws fresh samples every step';
  if (s.program.paramInfo.some((p) => p.updated)) return 'it has update rules';
  return null;
}

/**
 * The most values one seed's largest tensor times the seeds of a batch may reach: each batched
 * buffer stays within 16 KB, well inside a core's first-level cache. Past it a batched
 * elementwise loop reads and writes from the second level at about twice the time per value
 * (gradient-em's [seeds, 400, 5] loops: 1.2 ns a value for one seed, 2.8 for four), which costs
 * more than the batch saves once a seed's own step is not tiny. A program that would hold one
 * seed is not batched: gradient-em ([400, 5] tensors) runs one program per entry (its 64-seed
 * sweep measured 0.9x the time of --no-batch with two seeds a program, 0.7x with one).
 */
export const BATCH_ELEMENTS = 2048;

/**
 * Why no program of this setup's seeds can run batched, whatever its optimizer (null: it can):
 * fresh samples, update rules, or tensors too large for two seeds a batch.
 */
export function programObstacle(s: Setup): string | null {
  if (s.program.freshSampling) return 'it draws fresh samples every step';
  if (s.program.paramInfo.some((p) => p.updated)) return 'it has update rules';
  const largest = largestTensor(s.program);
  return Math.floor(BATCH_ELEMENTS / largest) < 2 ? `its tensors (up to ${largest} values) are too large to gain from a seed axis` : null;
}

/** The size of the largest tensor of a program's loss and metrics graph. */
function largestTensor(program: Program): number {
  const l = program.lowered;
  const stack = [l.objective, ...l.metrics.map((m) => m.value)];
  const seen = new Set<number>();
  let largest = 1;
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x.id)) continue;
    seen.add(x.id);
    largest = Math.max(largest, x.size);
    stack.push(...x.inputs);
  }
  return largest;
}

/** A source parsed and checked, as a function lowering it for one seed (see seedCompiler). */
type SeedLowering = (seed: number) => Program | undefined;

/** The last source parsed and checked in this thread, with its compile options less the seed. */
let lastParsed: { readonly source: string; readonly options: string; readonly lower: SeedLowering } | undefined;

/**
 * seedCompiler, kept for the next call with the same source and options (but the seed): the main
 * thread checks a setting up front and then runs a share of its seeds, and a thread may run several
 * shares of one setting; each parses and checks the source once.
 */
function seedLowering(source: string, options: Parameters<typeof compileSource>[1] = {}): SeedLowering | undefined {
  const { seed: _seed, ...rest } = options;
  // (plain values only: file, overrides, expect, memory and load limits, allowed reads)
  const key = JSON.stringify(rest);
  if (lastParsed !== undefined && lastParsed.source === source && lastParsed.options === key) return lastParsed.lower;
  const lower = seedCompiler(source, rest);
  lastParsed = lower === undefined ? undefined : { source, options: key, lower };
  return lower;
}

/**
 * compileSource for the sweep's check up front when its seeds run batched: the parse, checks and
 * lowering that find every error compileSource reports, without compiling the program's plans
 * (each batch compiles its own). Where the source does not compile, compileSource says why.
 */
export const checkForBatch: typeof compileSource = (source, options = {}) => {
  const program = options.seed === undefined ? undefined : seedLowering(source, options)?.(options.seed);
  return program === undefined ? compileSource(source, options) : { ok: true, program };
};

/** One batched program and the entries (seeds) it runs. */
interface Batch {
  readonly entries: readonly PlannedRun[];
  readonly setups: readonly Setup[];
  readonly programs: readonly Program[];
  readonly batched: BatchedProgram;
}

/**
 * The entries' programs, one per seed, compiled from one parse and cut into batches of at most
 * BATCH_ELEMENTS / (largest tensor) seeds, or a reason they cannot be batched.
 */
function seedBatches(job: SweepJob, entries: readonly PlannedRun[]): Batch[] | string {
  // setup's checks and resolved settings for the first seed; the other seeds lowered from the same parse and check
  let lower: ((seed: number) => Program | undefined) | undefined;
  const first = setup(entryConfig(job.base, entries[0]!), 'sweep', undefined, (source, options = {}) => {
    lower = seedLowering(source, options);
    const program = lower?.(entries[0]!.seed!);
    // a source that does not compile: compileSource says why
    return program === undefined ? compileSource(source, options) : { ok: true, program };
  });
  const obstacle = setupObstacle(first);
  if (obstacle !== null) return obstacle;
  const largest = largestTensor(first.program);
  const size = Math.floor(BATCH_ELEMENTS / largest);
  if (size < 2) return `its tensors (up to ${largest} values) are too large to gain from a seed axis`;
  const lowerSeed = lower as ((seed: number) => Program | undefined) | undefined;
  if (lowerSeed === undefined) return 'a seed does not compile';
  const all: Program[] = [first.program];
  for (const e of entries.slice(1)) {
    const program = lowerSeed(e.seed!);
    if (program === undefined) return 'a seed does not compile';
    all.push(program);
  }
  const setups = all.map((program, k): Setup => ({ ...first, config: entryConfig(job.base, entries[k]!), program, seed: program.seed }));
  const batches: Batch[] = [];
  try {
    for (let at = 0; at < all.length; at += size) {
      const programsHere = all.slice(at, at + size);
      batches.push({
        entries: entries.slice(at, at + size), setups: setups.slice(at, at + size), programs: programsHere,
        batched: new BatchedProgram(programsHere, first.config.maxMemory ?? defaultMemoryBudget()),
      });
    }
  } catch (e) {
    if (e instanceof NotBatchableError) return e.message;
    throw e;
  }
  return batches;
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
 * Runs `entries` (seeds of one setting) as batched programs (one parse and check for all, at most
 * BATCH_ELEMENTS / largest tensor seeds a program, one after the other), each seed into its folder
 * `job.dir/entry.dir` through executeRun as a lone entry is (run.json, log, plot, claims), with
 * results per seed equal to its own run's (see docs/cli.md, "sweep and collect"). When they
 * cannot be batched, nothing is written and they all come back in `alone`.
 */
export async function runBatch(job: SweepJob, entries: readonly PlannedRun[], shouldStop: () => boolean): Promise<BatchOutcome> {
  const made = seedBatches(job, entries);
  if (typeof made === 'string') return { results: [], failures: [], alone: entries, why: made };
  const results: EntryResult[] = [];
  const failures: { entry: PlannedRun; error: unknown }[] = [];
  for (const batch of made) {
    // a stop request leaves the batches not yet started alone, as it does entries
    if (shouldStop()) break;
    const o = await runOne(job, batch, shouldStop);
    results.push(...o.results);
    failures.push(...o.failures);
  }
  return { results, failures, alone: [] };
}

/** Trains one batch, each seed into its folder through executeRun. */
async function runOne(job: SweepJob, batch: Batch, shouldStop: () => boolean): Promise<{ results: EntryResult[]; failures: { entry: PlannedRun; error: unknown }[] }> {
  const { entries, setups, programs, batched } = batch;
  const trainer = new BatchTrainer(batched, programs, setups[0]!.spec);
  const locks: RunLock[] = [];
  const failures: { entry: PlannedRun; error: unknown }[] = [];
  const pending: Promise<EntryResult | null>[] = [];
  const ready: Promise<void>[] = [];
  // the folders of the seeds' final run.json, synced together once every seed has written its own
  const dirSyncs = new DeferredDirSyncs();
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
      // executeRun writes run.json (its sync on the thread pool, beside the other seeds') and then
      // hands its options to the trainer: the batch starts once every seed has, or has failed
      let seated = (): void => {};
      ready.push(new Promise<void>((resolve) => (seated = resolve)));
      const seat = trainer.trainerFor(k);
      pending.push(executeRun({
        ...entryRunOptions(job, entry, s, outDir, shouldStop, job.checkpointEvery, entries.length),
        trainer: (options) => {
          const result = seat(options);
          seated();
          return result;
        },
        deferredDirSyncs: dirSyncs,
      }).then(
        (o) => ({ index: entry.index, id: entry.id, outDir, summary: o.summary }),
        (error: unknown) => {
          failures.push({ entry, error });
          seated();
          return null;
        },
      ));
    });
    await Promise.all(ready);
    await trainer.run();
    const results = (await Promise.all(pending)).filter((r): r is EntryResult => r !== null);
    return { results, failures };
  } finally {
    // (before the results are reported, and whatever happened: a seed that ended wrote its run.json)
    dirSyncs.flush();
    for (const l of locks) l.release();
    process.setMaxListeners(listeners);
  }
}
