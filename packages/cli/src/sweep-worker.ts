// A sweep worker thread: receives units of entries one at a time (one entry, or seeds to run batched), runs them into their folders, reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { CliError } from './errors.js';
import { sharedStop } from './signals.js';
import type { PlannedRun } from './sweep-plan.js';
import { runUnit } from './sweep-unit.js';
import type { EntryResult, SweepJob } from './sweep-run.js';

/** From the main thread: run these entries (several: seeds of one setting, batched unless --no-batch). */
export interface WorkerTask {
  readonly entries: readonly PlannedRun[];
  readonly batch: boolean;
}

/** To the main thread: a finished entry, why one could not run, or that the task is done. */
export type WorkerReply =
  | { readonly kind: 'done'; readonly result: EntryResult }
  | { readonly kind: 'error'; readonly index: number; readonly message: string; readonly exitCode: number; readonly internal: boolean }
  | { readonly kind: 'idle' };

interface WorkerData {
  readonly job: SweepJob;
  readonly stop: Int32Array;
}

/** An entry's error as a message the main thread rebuilds. */
function errorReply(index: number, e: unknown): WorkerReply {
  const internal = !(e instanceof CliError);
  const message = internal && e instanceof Error && process.env['DESCENT_DEBUG'] === '1' ? (e.stack ?? e.message) : e instanceof Error ? e.message : String(e);
  return { kind: 'error', index, message, exitCode: e instanceof CliError ? e.exitCode : 70, internal };
}

if (parentPort) {
  const port = parentPort;
  const { job, stop } = workerData as WorkerData;
  const shouldStop = sharedStop(stop);
  port.on('message', (task: WorkerTask) => {
    runUnit(job, task.entries, task.batch, shouldStop, {
      done: (result) => port.postMessage({ kind: 'done', result } satisfies WorkerReply),
      failed: (entry, e) => port.postMessage(errorReply(entry.index, e)),
    }).then(
      () => port.postMessage({ kind: 'idle' } satisfies WorkerReply),
      (e: unknown) => {
        port.postMessage(errorReply(task.entries[0]!.index, e));
        port.postMessage({ kind: 'idle' } satisfies WorkerReply);
      },
    );
  });
}
