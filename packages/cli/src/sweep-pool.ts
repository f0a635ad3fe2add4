// The threads of a local sweep: worker threads started early (their start-up beside the main thread's check), and the main thread, which runs units too.
import { Worker } from 'node:worker_threads';
import { CliError } from './errors.js';
import type { PlannedRun } from './sweep-plan.js';
import type { EntryResult, SweepJob } from './sweep-run.js';
import { runUnit } from './sweep-unit.js';
import type { WorkerReply, WorkerTask } from './sweep-worker.js';

/** An entry that could not run to its end: its error (a CliError, or a bug). */
export interface EntryFailure {
  readonly entry: PlannedRun;
  readonly error: CliError | Error;
}

/**
 * `threads` threads for a sweep's units: the main thread and threads - 1 worker threads. The
 * workers are started at once, so that loading their modules overlaps what the main thread does
 * before the units are known (the check of every setting); the main thread already has the
 * modules and runs units itself instead of waiting. close() ends the workers whatever happened.
 */
export class SweepPool {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly job: SweepJob,
    private readonly stop: { readonly shared: Int32Array; readonly requested: () => boolean },
    readonly threads: number,
  ) {
    for (let i = 1; i < threads; i++) {
      this.workers.push(new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: { job, stop: stop.shared } }));
    }
  }

  /**
   * Runs `units` (see batchUnits), handing each free thread the next one (so the order of
   * completion varies, but each entry's results do not: every run is computed the same way
   * whichever thread runs it). An entry that fails is reported and the others go on; a worker that
   * crashes ends the hand-out (its error is thrown once the other threads are done). Stops handing
   * out units on a stop request.
   */
  async run(entries: readonly PlannedRun[], units: readonly (readonly PlannedRun[])[], batch: boolean, report: (r: EntryResult) => void, failed: (f: EntryFailure) => void): Promise<void> {
    const queue = [...units];
    let failure: Error | null = null;
    const take = (): readonly PlannedRun[] | undefined => (failure || this.stop.requested() ? undefined : queue.shift());
    const onWorker = (w: Worker): Promise<void> => new Promise<void>((resolve) => {
      const next = (): void => {
        const unit = take();
        if (!unit) {
          w.removeAllListeners('message');
          w.removeAllListeners('error');
          resolve();
          return;
        }
        w.postMessage({ entries: unit, batch } satisfies WorkerTask);
      };
      w.on('message', (m: WorkerReply) => {
        if (m.kind === 'done') report(m.result);
        else if (m.kind === 'error') failed({ entry: entries.find((e) => e.index === m.index)!, error: m.internal ? new Error(m.message) : new CliError(m.message, m.exitCode) });
        else next();
      });
      w.on('error', (e) => {
        failure ??= e;
        resolve();
      });
      next();
    });
    const onMain = async (): Promise<void> => {
      for (let unit = take(); unit; unit = take()) {
        const fail = (entry: PlannedRun, e: unknown): void => failed({ entry, error: e instanceof Error ? e : new Error(String(e)) });
        try {
          await runUnit(this.job, unit, batch, this.stop.requested, { done: report, failed: fail });
        } catch (e) {
          // as a worker reports a unit that failed as a whole: on its first entry
          fail(unit[0]!, e);
        }
      }
    };
    // the workers' first units are handed out first: the main thread's unit runs for long
    // stretches without giving way to events (a batch yields every 50 ms, its start-up not at all)
    const workers = this.workers.map(onWorker);
    await Promise.all([onMain(), ...workers]);
    if (failure) throw failure;
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
