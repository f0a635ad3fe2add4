// One entry of a sweep, the same in the main thread, in a worker thread, and under `--index`.
import * as path from 'node:path';
import { executeRun, prepareOutDir } from './execute.js';
import { Progress } from './progress.js';
import type { RunConfig } from './setup.js';
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

/** Compiles and trains one entry into its folder `dir/entry.dir`, without progress output. */
export async function runEntry(job: SweepJob, entry: PlannedRun, shouldStop: () => boolean): Promise<EntryResult> {
  const s = setup(entryConfig(job.base, entry), 'sweep');
  const outDir = path.join(job.dir, entry.dir);
  const lock = prepareOutDir(outDir, job.force, 'sweep');
  try {
    const o = await executeRun({
      command: 'sweep',
    setup: s,
    outDir,
    progress: new Progress({ total: s.steps, quiet: true }),
    shouldStop,
    argv: job.argv,
    ...(job.checkpointEvery ? { checkpointEvery: job.checkpointEvery } : {}),
    sweep: { index: entry.index, id: entry.id, group: entry.group, dir: entry.dir, settings: entry.settings, seed: entry.seed },
    });
    return { index: entry.index, id: entry.id, outDir, summary: o.summary };
  } finally {
    lock.release();
  }
}
