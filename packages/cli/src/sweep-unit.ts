// One unit of a sweep's work, the same in the main thread and in a worker: one entry, or seeds of one setting run batched.
import type { PlannedRun } from './sweep-plan.js';
import { runBatch } from './sweep-batch.js';
import { runEntry, type EntryResult, type SweepJob } from './sweep-run.js';

/** Where a unit reports each entry as it ends. */
export interface UnitReport {
  readonly done: (result: EntryResult) => void;
  readonly failed: (entry: PlannedRun, error: unknown) => void;
}

/**
 * Runs `entries`: batched (one program for all their seeds) when `batch` and there are several
 * and they can be; otherwise one after the other, each in its own program. Stops starting
 * entries on a stop request (a batch stops as a whole, each seed interrupted at the same step).
 */
export async function runUnit(job: SweepJob, entries: readonly PlannedRun[], batch: boolean, shouldStop: () => boolean, report: UnitReport): Promise<void> {
  let alone = entries;
  if (batch && entries.length > 1 && !shouldStop()) {
    const o = await runBatch(job, entries, shouldStop);
    for (const r of o.results) report.done(r);
    for (const f of o.failures) report.failed(f.entry, f.error);
    alone = o.alone;
  }
  for (const entry of alone) {
    if (shouldStop()) break;
    try {
      report.done(await runEntry(job, entry, shouldStop));
    } catch (e) {
      report.failed(entry, e);
    }
  }
}
